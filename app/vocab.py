"""Shared vocabularies: slugs in the API, translated labels in the UI."""

from __future__ import annotations

from enum import StrEnum

from app.config import get_settings
from app.i18n import N_, gettext


class LabelledEnum(StrEnum):
    """A StrEnum whose members know their translated label."""

    @property
    def label(self) -> str:
        return gettext(self._labels().get(self.value, self.value))

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {}

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in cls]


class Sector(LabelledEnum):
    software = "software"
    hardware = "hardware"
    telecom = "telecom"
    industrial_it = "industrial_it"
    geoinformation = "geoinformation"
    fintech = "fintech"
    edtech = "edtech"
    healthtech = "healthtech"
    energy = "energy"
    manufacturing = "manufacturing"
    other = "other"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {
            "software": N_("Software"),
            "hardware": N_("Hardware"),
            "telecom": N_("Telecommunications"),
            "industrial_it": N_("Industrial IT"),
            "geoinformation": N_("Geoinformation"),
            "fintech": N_("Fintech"),
            "edtech": N_("Education technology"),
            "healthtech": N_("Health technology"),
            "energy": N_("Energy"),
            "manufacturing": N_("Manufacturing"),
            "other": N_("Other"),
        }


class Stage(LabelledEnum):
    idea = "idea"
    seed = "seed"
    early = "early"
    growth = "growth"
    mature = "mature"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {
            "idea": N_("Idea"),
            "seed": N_("Seed"),
            "early": N_("Early stage"),
            "growth": N_("Growth"),
            "mature": N_("Mature"),
        }


def sector_slugs() -> list[str]:
    """The built-in sectors plus those a deployment adds (`PORTAL_EXTRA_SECTORS`)."""
    return [s.value for s in Sector] + list(get_settings().extra_sectors)


def sector_label(slug: str) -> str:
    try:
        return Sector(slug).label
    except ValueError:
        return slug


def is_known_region(region: str) -> bool:
    """Regions are free text unless the deployment configures a list (`PORTAL_REGIONS`)."""
    configured = get_settings().regions
    return not configured or region in configured
