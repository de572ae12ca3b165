from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("", views.indicator_list, name="list"),
    path("<int:indicator_id>/", views.indicator_detail, name="detail"),
    path("<int:indicator_id>/value/", views.value_submit, name="value_submit"),
    path("<int:indicator_id>/assign/", views.unit_assign, name="assign"),
    path("values/<int:value_id>/review/", views.value_review, name="review"),
    path("values/<int:value_id>/correct/", views.value_correct, name="correct"),
    path("evidence/<int:evidence_id>/", views.evidence_download, name="evidence"),
]
