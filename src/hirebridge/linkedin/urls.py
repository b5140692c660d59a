from django.urls import path

from hirebridge.linkedin import views

urlpatterns = [
    path("callback/<str:token>", views.callback, name="linkedin-callback"),
]
