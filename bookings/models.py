"""Booking links a workspace's members send to prospects, and the meetings booked through
them."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from clianta.models import Contact, Membership, WorkspaceOwned


def new_slug() -> str:
    return secrets.token_urlsafe(12)  # 96 random bits: the public URL cannot be guessed


class BookingLink(WorkspaceOwned):
    """A public page where a visitor books ``duration_minutes`` with ``members``: all of them at
    once, or one of them in turn (the one with the fewest bookings of the link who is free)."""

    class Assignment(models.TextChoices):
        ALL = "all", "All of the members"
        ROUND_ROBIN = "round_robin", "One of the members, in turn"

    title = models.CharField(max_length=200)
    slug = models.CharField(max_length=32, unique=True, default=new_slug, editable=False)
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    members = models.ManyToManyField(Membership, related_name="+")
    assignment = models.CharField(max_length=12, choices=Assignment.choices, default=Assignment.ALL)
    buffer_before_minutes = models.PositiveSmallIntegerField(default=0)
    buffer_after_minutes = models.PositiveSmallIntegerField(default=0)
    min_notice_minutes = models.PositiveIntegerField(default=240)
    days_ahead = models.PositiveSmallIntegerField(default=30)
    daily_cap = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Bookings of the link a member takes a day; empty: any."
    )
    questions = models.JSONField(
        default=list, blank=True, help_text='[{"label", "required"}], asked besides name and email'
    )
    video_conference = models.BooleanField(default=True)
    location = models.CharField(max_length=500, blank=True)
    paused = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self):
        return self.title


class Booking(WorkspaceOwned):
    """A meeting a visitor booked: the event is in the organiser's calendar."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed"
        CANCELLED = "cancelled"

    link = models.ForeignKey(BookingLink, on_delete=models.CASCADE, related_name="bookings")
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    hosts = models.JSONField(default=list, help_text="The ids of the members it takes.")
    start = models.DateTimeField()
    end = models.DateTimeField()
    name = models.CharField(max_length=200)
    email = models.EmailField()
    answers = models.JSONField(default=dict, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    contact = models.ForeignKey(Contact, null=True, on_delete=models.SET_NULL, related_name="+")
    calendar_event = models.UUIDField(null=True, help_text="The event in the organiser's calendar.")
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta(WorkspaceOwned.Meta):
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["workspace", "start"]),
            models.Index(fields=["link", "start"]),
            models.Index(fields=["workspace", "email"]),
        ]

    def __str__(self):
        return f"{self.name} <{self.email}> at {self.start:%Y-%m-%d %H:%M}"
