"""People log in with their e-mail address: it is their username, in lower case, so that "Anne@Asso.fr" and
"anne@asso.fr" are one account (and one django-axes counter)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser


def normalise_email(email: str) -> str:
    return email.strip().lower()


def person_by_email(email: str) -> AbstractUser | None:
    return get_user_model().objects.filter(username=normalise_email(email)).first()


def create_person(email: str, password: str | None, first_name: str = "", last_name: str = "") -> AbstractUser:
    address = normalise_email(email)
    return get_user_model().objects.create_user(
        username=address, email=address, password=password, first_name=first_name, last_name=last_name
    )
