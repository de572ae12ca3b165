from django.urls import path

from . import views_duties, views_excel, views_handover

app_name = "tasks"

# /tasks/ itself is the task list with its status columns, reports:task_list (reports.urls, one
# owner); this app adds the Excel export and import and the duties under it.
urlpatterns = [
    # Excel export and import (tasks/excel)
    path("export.xlsx", views_excel.task_list_export, name="export"),
    path("import/", views_excel.task_import_upload, name="import_upload"),
    path("import/<int:pk>/", views_excel.task_import_detail, name="import_detail"),
    path("import/<int:pk>/confirm/", views_excel.task_import_confirm, name="import_confirm"),
    path("import/<int:pk>/cancel/", views_excel.task_import_cancel_view, name="import_cancel"),
    path("hand-over/", views_handover.task_handover, name="handover"),  # 交办 (office)
    path("<int:task_id>/retire/", views_handover.task_retire_view, name="retire"),  # 撤销 (office)
]

# Who owes what (tasks.duties): the office's decisions and a member's 不涉及 declaration, keyed by
# primary keys; the forms are shown inline in the task page's responsibility panel.
urlpatterns += [
    path("duties/", views_duties.todo, name="duties"),
    path("duties/<int:task_id>/designate/<int:group_id>/", views_duties.designate, name="duty_designate"),
    path("duties/designations/<int:designation_id>/withdraw/", views_duties.undesignate, name="duty_undesignate"),
    path("duties/<int:task_id>/assign/", views_duties.assign, name="duty_assign"),
    path("duties/assignments/<int:assignment_id>/remove/", views_duties.unassign, name="duty_unassign"),
    path("duties/assignments/<int:assignment_id>/reporting/", views_duties.reporting, name="duty_reporting"),
    path("duties/<int:task_id>/exemption/", views_duties.exemption_declare, name="exemption_declare"),
    path("duties/exemptions/<int:exemption_id>/decide/", views_duties.exemption_decide, name="exemption_decide"),
]

# Dated steps inside a task (阶段目标, issue 17): the office confirms one reached, or withdraws that.
urlpatterns += [
    path("milestones/<int:milestone_id>/reach/", views_duties.milestone_reach, name="milestone_reach"),
    path("milestones/<int:milestone_id>/reopen/", views_duties.milestone_reopen, name="milestone_reopen"),
]
