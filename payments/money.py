"""Amounts as Stripe gives them: integers in the currency's minor unit. Most currencies have two
decimals; the zero-decimal ones (JPY, KRW, …) count whole units, the three-decimal ones (KWD,
…) thousandths. https://docs.stripe.com/currencies#zero-decimal,
https://docs.stripe.com/currencies#three-decimal"""

from decimal import Decimal

ZERO_DECIMAL = frozenset(
    {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga"}
    | {"pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"}
)
THREE_DECIMAL = frozenset(["bhd", "jod", "kwd", "omr", "tnd"])


def exponent(currency: str) -> int:
    currency = currency.lower()
    if currency in ZERO_DECIMAL:
        return 0
    return 3 if currency in THREE_DECIMAL else 2


def decimal(amount: int, currency: str) -> Decimal:
    """``amount`` minor units as a decimal of the currency's unit: 1234 USD -> 12.34, 1234 JPY
    -> 1234, 1234 KWD -> 1.234."""
    places = exponent(currency)
    return Decimal(amount).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def minor(value: Decimal, currency: str) -> int:
    """A decimal of the currency's unit as minor units (it must not need more places)."""
    scaled = Decimal(value).scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{value} has more decimals than {currency.upper()} allows.")
    return int(scaled)


def display(amount: int, currency: str) -> str:
    """``12.34 USD``, ``1,234 JPY``, ``1.234 KWD``."""
    return f"{decimal(amount, currency):,} {currency.upper()}"
