from django.urls import path

from . import second_factor_views as views

app_name = "second-factor"

urlpatterns = [
    path("sign-in/code/", views.SignInCodeView.as_view(), name="sign-in"),
    path("sign-in/recovery-code/", views.SignInRecoveryCodeView.as_view(), name="sign-in-recovery"),
    path("account/second-factor/", views.SecondFactorView.as_view(), name="overview"),
    path("account/second-factor/set-up/", views.SetUpView.as_view(), name="set-up"),
    path(
        "account/second-factor/recovery-codes/",
        views.RecoveryCodesView.as_view(),
        name="recovery-codes",
    ),
]
