"""Customer orders (заказы покупателя) made from quote lines, priced by the server."""
