"""Mailbox intake: price lists e-mailed by suppliers, with no person in the loop.

One poll (`fetch.poll`) reads an IMAP folder, matches each message to a
supplier profile (`matching`), writes the matching attachments under safe
names (`names`) into `inbox/<supplier>/`, records them in a ledger (`store`)
and moves the message to the processed or the review folder. From the inbox
the files take the ordinary ingestion path (the inbox sensor, or
`parts mail fetch`); `reply` answers a supplier whose file was quarantined.
"""
