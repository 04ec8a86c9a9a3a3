"""Accounts in the admin: users with their profile and memberships on one page."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from boeking.models import Membership, Profile

from .helpers import form_post_data, url

User = get_user_model()


def test_user_admin__change_page_has_profile_and_membership_inlines(admin_client, one_of_each):
    response = admin_client.get(url(User, "change", one_of_each[User].pk))
    inline_models = {inline.formset.model for inline in response.context["inline_admin_formsets"]}
    assert inline_models == {Profile, Membership}


def test_user_admin__add_user_with_profile_and_membership(admin_client, room):
    page = admin_client.get(url(User, "add"))
    data = form_post_data(page)
    data.update({
        "username": "penningmeester@example.org", "password1": "Zaalboek-2027!", "password2": "Zaalboek-2027!",
        "usable_password": "true",
        "profile-0-role": "volunteer", "profile-0-postcode": "6221 AB", "profile-0-language": "nl",
        "memberships-TOTAL_FORMS": "1", "memberships-0-house": room.house.pk, "memberships-0-role": "board",
    })

    response = admin_client.post(url(User, "add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="penningmeester@example.org")
    assert user.profile.role == "volunteer"
    assert list(user.memberships.values_list("house", flat=True)) == [room.house.pk]
