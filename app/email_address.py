"""Email addresses as one registration or subscription knows them: NFC, case-insensitive."""
import hashlib
import unicodedata

from email_validator import EmailNotValidError, validate_email


class InvalidEmail(ValueError):
    pass


def canonical_email(value: str) -> str:
    """The address a person is known by: trimmed, Unicode NFC, case folded."""
    return unicodedata.normalize("NFC", value.strip()).casefold()


def address_fingerprint(email_key: str) -> str:
    """A short digest of an address for signed links: binds the link without showing the address."""
    return hashlib.sha256(email_key.encode("utf-8")).hexdigest()[:16]


def checked_email(value: str) -> str:
    """The address as typed (trimmed, NFC), if its syntax is valid; no DNS lookup."""
    value = unicodedata.normalize("NFC", value.strip())
    try:
        checked = validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise InvalidEmail(str(error)) from error
    if len(canonical_email(checked)) > 254:  # case folding can lengthen an address
        raise InvalidEmail("too long")
    return checked


def masked(address: str) -> str:
    """An address shown without giving it away: «ana@example.org» → «a•••@example.org»."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}"
