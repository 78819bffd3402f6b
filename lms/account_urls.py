from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import TemplateView

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="lms/login.html"),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # TODO: replace with the real profile and password reset views.
    path("profile/", TemplateView.as_view(template_name="base.html"), name="profile"),
    path(
        "password-reset/",
        TemplateView.as_view(template_name="base.html"),
        name="password_reset",
    ),
]
