"""Labels of the pages in Russian (the default) and English."""

from __future__ import annotations

import re

LANGUAGES: tuple[str, ...] = ("ru", "en")
COOKIE = "parts_lang"

LABELS: dict[str, dict[str, str]] = {
    "ru": {
        "app": "Проценка",
        "search": "Найти",
        "search_label": "Артикул, VIN или слова",
        "search_hint": "Enter — найти, ↓ — к результатам, + — в корзину, → — расчёт цены, Esc — к поиску",
        "client": "Клиент",
        "client_label": "Клиент: имя, телефон или госномер",
        "client_none": "Клиент не выбран: цены розничные",
        "client_clear": "Сбросить клиента",
        "vehicles": "Автомобили клиента",
        "vin_search": "Поиск по VIN",
        "orders": "Заказы",
        "order": "Заказ",
        "sign_in": "Войти",
        "sign_out": "Выйти",
        "login": "Логин",
        "password": "Пароль",
        "wrong_password": "Неверный логин или пароль",
        "too_many": "Слишком много неверных паролей: попробуйте через {s} с",
        "session_expired": "Сеанс истёк: войдите снова. Корзина сохранена.",
        "signed_out": "Вы вышли.",
        "sort": "Сортировка",
        "sort_price": "по цене",
        "sort_delivery": "по сроку",
        "sort_probability": "по вероятности поставки",
        "in_stock": "Только в наличии",
        "max_days": "Срок до, дн.",
        "price_from": "Цена от",
        "price_to": "до",
        "supplier": "Поставщик",
        "brand": "Бренд",
        "all": "все",
        "export": "Выгрузить в Excel",
        "group_exact": "Запрошенный артикул",
        "group_verified_analog": "Проверенные аналоги",
        "group_analog": "Аналоги",
        "col_brand": "Бренд",
        "col_article": "Артикул",
        "col_name": "Наименование",
        "col_supplier": "Поставщик / склад",
        "col_qty": "Нал.",
        "col_mult": "Кр.",
        "col_days": "Срок",
        "col_prob": "Вер.",
        "col_qty_full": "Наличие у поставщика",
        "col_mult_full": "Кратность заказа",
        "col_days_full": "Срок поставки, дней",
        "col_prob_full": "Вероятность поставки",
        "col_price": "Цена, ₽",
        "add": "В корзину",
        "choose_brand": "Артикул есть у нескольких брендов — выберите:",
        "no_results": "Ничего не найдено",
        "online": "Онлайн-поставщики",
        "online_waiting": "ждём ответа",
        "online_ok": "строка|строки|строк",
        "online_failed": "нет ответа",
        "cart": "Корзина",
        "cart_empty": "Корзина пуста: выберите строку и нажмите +",
        "qty": "Кол-во",
        "total": "Итого",
        "remove": "Убрать",
        "note": "Комментарий к заказу",
        "make_order": "Оформить заказ",
        "need_client": "Выберите клиента, чтобы оформить заказ",
        "order_created": "Заказ оформлен",
        "prices_changed": "Цены изменились: проверьте корзину и оформите снова",
        "status": "Статус",
        "date": "Дата",
        "manager": "Менеджер",
        "amount": "Сумма",
        "lines": "Строк",
        "back_to_search": "К проценке",
        "no_orders": "Заказов пока нет",
        "explain": "Как получена цена",
        "purchase": "Закупка",
        "rule": "Правило",
        "unknown_qty": "нет данных",
        "days": "дн.",
        "vin_needs_part": "VIN распознан. Допишите через пробел, что ищем: «{vin} колодки»",
        "language": "English",
        "search_failed": "Поиск не выполнен",
        "slow": "медленно",
        "stock_unchecked": "наличие не подтверждено",
        "change_status": "Сменить статус",
        "department": "Подразделение",
        "rows": "строка|строки|строк",
        "offers_forms": "предложение|предложения|предложений",
        "analogs_only": "только аналоги",
        "cannot_order": "Ваша роль не оформляет заказы",
        "confirm_cancel": "Отменить заказ? Отменённый заказ не вернуть.",
        "p_bad_qty": "строка {position}: количество должно быть не меньше 1",
        "p_multiplicity": "строка {position}: количество кратно {multiplicity}, например {nearest}",
        "p_out_of_stock": "строка {position}: нет в наличии",
        "p_over_stock": "строка {position}: в наличии только {stock}",
        "p_price_changed": "строка {position}: цена изменилась: было {price_seen}, стало {price}",
        "p_gone": "строка {position}: предложение больше не действует",
        "p_supplier_failed": "строка {position}: поставщик не ответил, попробуйте ещё раз",
        "p_no_price": "строка {position}: нет цены",
        "p_repeated": "строка {position}: это предложение уже есть в заказе",
        "error": "Ошибка",
        "not_found": "Не найдено",
        "ms": "мс",
        "server": "сервер",
        "x_purchase": "Закупка",
        "x_vat": "НДС добавлен",
        "x_purchase_rub": "Закупка, ₽",
        "x_rule": "Правило",
        "x_markup": "Наценка",
        "x_rounding": "Округление",
        "x_retail": "Розница",
        "x_group": "Группа клиента",
        "x_discount": "Скидка",
        "x_floor": "Не ниже",
        "x_price": "Цена клиенту",
        "x_reason": "Без цены",
        "placed_elsewhere": "Корзина оформлена в другой вкладке",
        "client_gone": "Выбранного клиента больше нет: клиент сброшен, цены розничные",
        "of": "из",
        "approx_stock": "в наличии больше {qty}, точное количество неизвестно",
        "qty_too_big": "не больше {max}",
        "min": "не меньше",
        "round_up": "вверх",
        "round_ending90": "вверх до …90",
        "round_nearest": "до ближайшего",
        # server-side errors and order pages (backend-2: kept apart for merging)
        "e_no_page": "Такой страницы нет",
        "e_no_order": "Заказ № {0} не найден",
        "e_no_client": "Клиент № {0} не найден",
        "e_order_number": "Номер заказа — это число: проверьте адрес страницы",
        "e_bad_request": "Запрос не выполнен: проверьте введённое",
        "e_not_allowed": "Недостаточно прав",
        "e_stale_page": "Страница устарела: обновите её и повторите",
        "e_database_down": "База данных недоступна: попробуйте чуть позже",
        "e_server": "Ошибка на сервере: попробуйте ещё раз",
        "e_status_refused": "Статус не изменён: заказ уже «{status}», стать «{requested}» он не может. Обновите страницу.",
        "e_status_failed": "Статус не изменён",
    },
    "en": {
        "app": "Quote search",
        "search": "Search",
        "search_label": "Article, VIN or words",
        "search_hint": "Enter: search, ↓: to results, +: add to cart, →: price details, Esc: back to search",
        "client": "Client",
        "client_label": "Client: name, phone or plate",
        "client_none": "No client chosen: retail prices",
        "client_clear": "Clear client",
        "vehicles": "Client's vehicles",
        "vin_search": "Search by VIN",
        "orders": "Orders",
        "order": "Order",
        "sign_in": "Sign in",
        "sign_out": "Sign out",
        "login": "Login",
        "password": "Password",
        "wrong_password": "Wrong login or password",
        "too_many": "Too many wrong passwords: try again in {s} s",
        "session_expired": "Your session expired: sign in again. The cart is kept.",
        "signed_out": "You signed out.",
        "sort": "Sort",
        "sort_price": "by price",
        "sort_delivery": "by delivery",
        "sort_probability": "by delivery probability",
        "in_stock": "In stock only",
        "max_days": "Days at most",
        "price_from": "Price from",
        "price_to": "to",
        "supplier": "Supplier",
        "brand": "Brand",
        "all": "all",
        "export": "Export to Excel",
        "group_exact": "Requested part",
        "group_verified_analog": "Verified analogs",
        "group_analog": "Analogs",
        "col_brand": "Brand",
        "col_article": "Article",
        "col_name": "Name",
        "col_supplier": "Supplier / warehouse",
        "col_qty": "Stock",
        "col_mult": "Mult.",
        "col_days": "Days",
        "col_prob": "Prob.",
        "col_qty_full": "Supplier's stock",
        "col_mult_full": "Order multiplicity",
        "col_days_full": "Delivery days",
        "col_prob_full": "Delivery probability",
        "col_price": "Price, ₽",
        "add": "Add to cart",
        "choose_brand": "The article exists under several brands. Choose one:",
        "no_results": "Nothing found",
        "online": "Online suppliers",
        "online_waiting": "waiting",
        "online_ok": "line|lines",
        "online_failed": "no answer",
        "cart": "Cart",
        "cart_empty": "The cart is empty: select a line and press +",
        "qty": "Qty",
        "total": "Total",
        "remove": "Remove",
        "note": "Order note",
        "make_order": "Create order",
        "need_client": "Choose a client to create the order",
        "order_created": "Order created",
        "prices_changed": "Prices changed: check the cart and submit again",
        "status": "Status",
        "date": "Date",
        "manager": "Manager",
        "amount": "Amount",
        "lines": "Lines",
        "back_to_search": "Back to search",
        "no_orders": "No orders yet",
        "explain": "How the price was made",
        "purchase": "Purchase",
        "rule": "Rule",
        "unknown_qty": "unknown",
        "days": "d",
        "vin_needs_part": 'VIN recognised. Add the part after a space: "{vin} pads"',
        "language": "Русский",
        "search_failed": "Search failed",
        "slow": "slow",
        "stock_unchecked": "stock not confirmed",
        "change_status": "Change status",
        "department": "Department",
        "rows": "line|lines",
        "offers_forms": "offer|offers",
        "analogs_only": "analogs only",
        "cannot_order": "Your role does not place orders",
        "confirm_cancel": "Cancel the order? A cancelled order cannot come back.",
        "p_bad_qty": "line {position}: order at least 1",
        "p_multiplicity": "line {position}: order in steps of {multiplicity}, e.g. {nearest}",
        "p_out_of_stock": "line {position}: out of stock",
        "p_over_stock": "line {position}: only {stock} in stock",
        "p_price_changed": "line {position}: the price changed from {price_seen} to {price}",
        "p_gone": "line {position}: no longer offered",
        "p_supplier_failed": "line {position}: the supplier did not answer, try again",
        "p_no_price": "line {position}: no price",
        "p_repeated": "line {position}: this offer is in the order already",
        "error": "Error",
        "not_found": "Not found",
        "ms": "ms",
        "server": "server",
        "x_purchase": "Purchase",
        "x_vat": "VAT added",
        "x_purchase_rub": "Purchase, ₽",
        "x_rule": "Rule",
        "x_markup": "Markup",
        "x_rounding": "Rounding",
        "x_retail": "Retail",
        "x_group": "Client group",
        "x_discount": "Discount",
        "x_floor": "Floor",
        "x_price": "Client price",
        "x_reason": "No price",
        "placed_elsewhere": "The cart was ordered in another tab",
        "client_gone": "The chosen client is no more: the client was reset, retail prices",
        "of": "of",
        "approx_stock": "more than {qty} in stock, the exact number is unknown",
        "qty_too_big": "at most {max}",
        "min": "at least",
        "round_up": "up",
        "round_ending90": "up to …90",
        "round_nearest": "to nearest",
        # server-side errors and order pages (backend-2: kept apart for merging)
        "e_no_page": "There is no such page",
        "e_no_order": "Order {0} was not found",
        "e_no_client": "Client {0} was not found",
        "e_order_number": "An order number is a number: check the page's address",
        "e_bad_request": "The request was refused: check what was entered",
        "e_not_allowed": "You may not do this",
        "e_stale_page": "The page is out of date: reload it and try again",
        "e_database_down": "The database cannot be reached: try again shortly",
        "e_server": "Something went wrong on the server: try again",
        "e_status_refused": "The status was not changed: the order is “{status}” already and cannot become “{requested}”. Reload the page.",
        "e_status_failed": "The status was not changed",
    },
}


def labels(language: str) -> dict[str, str]:
    """The labels of `language`, Russian when it is unknown."""
    return LABELS.get(language, LABELS["ru"])


# what the quote engine says, as the page says it in Russian
_NOTES_RU: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), text)
    for pattern, text in (
        (r"^no offers for `(.+)`$", r"Нет предложений по «\1»"),
        (r"^no brand holds the article `(.+)`$", r"Артикул «\1» не найден ни у одного бренда"),
        (r"^only online suppliers offer `(.+)`$", r"«\1» есть только у онлайн-поставщиков"),
        (r"^no part names hold `(.+)`$", r"Нет деталей с названием «\1»"),
        (r"^price lists hidden from this department or price group hold offers "
         r"for this search$",
         "Предложения есть в прайс-листах, скрытых для вашего подразделения"),
        (r"^VIN (\S+): (\d+) catalogue vehicles, (\d+) parts of `(.+)`$",
         r"VIN \1: автомобилей в каталоге: \2, деталей «\4»: \3"),
        (r"^VIN (\S+): (\d+) catalogue vehicles of model `(.+)`, (\d+) parts of `(.+)`$",
         r"VIN \1: модель «\3», вариантов в каталоге: \2, деталей «\5»: \4"),
        (r"^model `(.+)` matches no catalogue vehicle of the VIN's make and year: .*$",
         r"Модели «\1» нет в каталоге среди машин этой марки и года: показаны детали всех"),
        (r"^timed out after ([\d.]+) s$", r"не ответил за \1 с"),
        (r"^timed out after ([\d.]+) s \(query deadline\)$",
         r"не ответил за \1 с (общий срок поиска)"),
        (r"^cannot connect: .*$", "нет соединения"),
        (r"^HTTP (\d+)$", r"ошибка сервера поставщика (HTTP \1)"),
        (r"^bad reply: .*$", "непонятный ответ"),
        (r"^cut at the query deadline$", "не успел к общему сроку поиска"),
        (r"^query deadline passed before the request$", "общий срок поиска истёк"),
        (r"^internal error: .*$", "внутренняя ошибка"),
        (r"^`article` is longer than (\d+) characters$",
         r"артикул длиннее \1 символов"),
        (r"^`text` is longer than (\d+) characters$", r"запрос длиннее \1 символов"),
        (r"^`(.+)` holds no article characters$", r"в «\1» нет символов артикула"),
        (r"^no generic article matches `(.+)` in catalogue version `.+`; .*$",
         r"в каталоге нет детали «\1»: напишите её название иначе или номер"),
        (r"^no catalogue is loaded: a VIN search needs one$",
         "каталог не загружен: поиск по VIN невозможен"),
        (r"^VIN `(\S+)`: (.+)$", r"VIN \1 не распознан: \2"),
    )
)  # fmt: skip


_SKIPPED = re.compile(r"^not asked for (\d+) s more: (.+)$")
# the server's own errors (`service.app`), as a page says them
_PAGE_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"^no order (\d+)$", "e_no_order"),
        (r"^no client (\d+)$", "e_no_client"),
        (r"^path\.order_id: ", "e_order_number"),
        (r"^a page write needs the session's `X-CSRF-Token`", "e_stale_page"),
        (r"^the operational database cannot be reached", "e_database_down"),
    )
)
_ERRORS_BY_STATUS: dict[int, str] = {
    400: "e_bad_request", 403: "e_not_allowed", 404: "e_no_page",
    405: "e_no_page", 422: "e_bad_request", 503: "e_database_down",
}  # fmt: skip


def note(text: str, language: str) -> str:
    """An engine note or supplier failure in the page's language."""
    if language != "ru":
        return text
    skipped = _SKIPPED.match(text)
    if skipped:  # a supplier in its cooldown: the reason it failed, in words
        return f"не спрашиваем ещё {skipped[1]} с: {note(skipped[2], language)}"
    for pattern, replacement in _NOTES_RU:
        if pattern.match(text):
            return pattern.sub(replacement, text)
    return text


def page_error(status: int, message: str, language: str) -> str:
    """An error of the API (`no order 5`, `Not Found`…) as a page in
    `language` says it: a sentence known for the message, else for the HTTP
    status; never the API's English words on a Russian page."""
    words = labels(language)
    for pattern, key in _PAGE_ERRORS:
        found = pattern.match(message)
        if found:
            return words[key].format(*found.groups())
    return words[_ERRORS_BY_STATUS.get(status, "e_server")]


def plural(n: int, forms: str) -> str:
    """`n` with the Russian word form for it: forms `строка|строки|строк`
    (one, few, many); an English pair `line|lines` works too."""
    words = forms.split("|")
    if len(words) == 2:
        return f"{n} {words[0] if n == 1 else words[1]}"
    if n % 10 == 1 and n % 100 != 11:
        word = words[0]
    elif 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        word = words[1]
    else:
        word = words[2]
    return f"{n} {word}"
