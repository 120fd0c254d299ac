from django.urls import path

from chat import views

app_name = "chat"
urlpatterns = [
    path("webhooks/whatsapp", views.webhook, name="whatsapp-webhook"),
    path("chat/", views.chat_page, name="page"),
    path("chat/mensaje", views.chat_message, name="message"),
]
