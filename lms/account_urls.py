from django.contrib.auth import views as auth_views
from django.urls import path

from .accounts import school, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path(
        "password/",
        views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password/done/",
        views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password-reset/",
        views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # Account work of school operators, the city admin and superusers.
    path("locks/", school.login_locks, name="login_locks"),
    path("locks/<int:lock_id>/lift/", school.lift_lock, name="lift_lock"),
    path("school/<str:npsn>/", school.school_accounts, name="school_accounts"),
    path(
        "school/<str:npsn>/people/<int:user_id>/unlock/",
        school.unlock_person,
        name="unlock_person",
    ),
    path(
        "school/<str:npsn>/people/<int:user_id>/password/",
        school.reset_password,
        name="reset_password",
    ),
    path(
        "school/<str:npsn>/classes/<int:group_id>/login-cards/",
        school.login_cards,
        name="login_cards",
    ),
]
