from django.urls import path
from django.views.generic import TemplateView

app_name = "ppdb"

# TODO: replace with the app's real views.
urlpatterns = [
    path("", TemplateView.as_view(template_name="base.html"), name="index"),
]
