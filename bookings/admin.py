from django.contrib import admin

from .models import Booking, BookingLink


class BookingInline(admin.TabularInline):
    model = Booking
    fields = ["start", "name", "email", "organizer", "status"]
    readonly_fields = fields
    ordering = ["-start"]
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(BookingLink)
class BookingLinkAdmin(admin.ModelAdmin):
    list_display = ["title", "workspace", "assignment", "duration_minutes", "paused", "created_at"]
    list_filter = ["assignment", "paused"]
    search_fields = ["title", "slug", "workspace__name"]
    readonly_fields = ["slug", "created_by", "created_at", "updated_at"]
    filter_horizontal = ["members"]
    inlines = [BookingInline]


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["start", "link", "name", "email", "organizer", "status"]
    list_filter = ["status", "link"]
    search_fields = ["name", "email", "link__title"]
    date_hierarchy = "start"
    readonly_fields = [f.name for f in Booking._meta.fields]

    def has_add_permission(self, request):
        return False
