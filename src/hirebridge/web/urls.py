from django.contrib.auth import views as auth_views
from django.urls import path

from hirebridge.web import inbound_email, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("candidates/", views.candidates, name="candidates"),
    path("inbound/email", inbound_email.receive, name="inbound-email"),
]
