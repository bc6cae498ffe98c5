"""Masking personal data (article 20): one rule per kind of datum, for every place that shows it
beyond the window that served the person (progress pages, displays, exports, printed slips).

A name keeps its first character and, from three characters on, its last: 张* · 王*明 · 欧**娜.
Two characters keep only the first, or the masked name would give the whole given name away. A
name in Latin letters keeps each word's initial (J*** S****), since its words are what one reads.
A name of one character is hidden whole.
"""

from __future__ import annotations


def mask_name(name: str) -> str:
    """张三 → 张*, 王小明 → 王*明, 欧阳娜娜 → 欧**娜, John Smith → J*** S****, 张 → *."""
    name = name.strip()
    if len(name) <= 1:
        return "*" * len(name)
    if name.isascii():
        return " ".join(w[0] + "*" * (len(w) - 1) for w in name.split())
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id_number(s: str) -> str:
    """First 6 (region) and last 4 kept: 110105********1234."""
    s = s.strip()
    if len(s) <= 10:
        return "*" * len(s)
    return s[:6] + "*" * (len(s) - 10) + s[-4:]


def mask_phone(phone: str) -> str:
    """First 3 and last 4 kept: 138****5678; short numbers keep only their last 2."""
    phone = phone.strip()
    if len(phone) >= 8:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    if len(phone) >= 3:
        return "*" * (len(phone) - 2) + phone[-2:]
    return "*" * len(phone)
