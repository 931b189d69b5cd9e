from django.contrib import admin

from accounts import models, services


class MembershipInline(admin.TabularInline):
    model = models.Membership
    extra = 1


@admin.register(models.Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "time_zone")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]


@admin.register(models.Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "company", "language", "monthly_spend")
    search_fields = ("name", "email", "company")

    def save_model(self, request, obj, form, change):
        # Through the service: a new name or email is announced, and tickets rebuilds its search documents.
        services.customer_save(customer=obj, changed=set(form.changed_data) if change else set())


@admin.register(models.Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "language", "time_zone", "is_away")
    list_filter = ("is_away", "language")
