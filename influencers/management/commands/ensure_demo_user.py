from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from campaigns.models import Brand


class Command(BaseCommand):
    help = "Create (or reset) the demo login: a staff user who works on every brand."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="demo")
        parser.add_argument("--password", required=True)

    def handle(self, *args, username, password, **options):
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(username=username)
        user.is_staff = True
        user.is_superuser = True
        user.set_password(password)
        user.save()
        user.brands.add(*Brand.objects.all())
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} the demo login: {username}")
