"""Lever's five preconfigured access roles, most to least privileged."""

from django.db import models


class Role(models.TextChoices):
    # Values are Lever's `accessRole` strings, so the API can return them unchanged.
    SUPER_ADMIN = "super admin", "Super Admin"
    ADMIN = "admin", "Admin"
    TEAM_MEMBER = "team member", "Team Member"
    LIMITED_TEAM_MEMBER = "limited team member", "Limited Team Member"
    INTERVIEWER = "interviewer", "Interviewer"
