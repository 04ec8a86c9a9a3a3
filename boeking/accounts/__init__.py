"""Accounts (issue 17): django-allauth adapted to Zaalboek — sign-up of residents (postcode in the municipality, 18+),
e-mail verification before booking, password reset, two-factor for staff, role landing pages and API tokens with an
idle lifetime (`models.ApiToken`)."""

# The answer wherever an unverified resident tries to request a booking (API 403 `email_unverified`, the room page).
EMAIL_UNVERIFIED = ("Bevestig eerst uw e-mailadres: klik op de link in de mail die we u stuurden. Geen mail gekregen? "
                    "Vraag een nieuwe aan via Mijn account.")
