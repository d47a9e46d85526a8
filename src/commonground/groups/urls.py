from __future__ import annotations

from django.urls import path

from commonground.groups import views

app_name = "groups"

urlpatterns = [
    path("", views.groups, name="groups"),
    path("new", views.start, name="start"),
    path("people/", views.directory, name="directory"),
    path("people/me", views.listing, name="listing"),
    path("settings", views.preferences, name="settings"),
    path("notifications", views.notifications, name="notifications"),
    path("calendar/<str:token>.ics", views.my_calendar, name="my_calendar"),
    path("unsubscribe/<str:token>", views.unsubscribe, name="unsubscribe"),
    path("mail/inbound", views.inbound, name="inbound"),
    path("invitation/<str:token>", views.invitation, name="invitation"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("meetings/<int:pk>/edit", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/register", views.register, name="register"),
    path("meetings/<int:pk>/apologies", views.apologies, name="apologies"),
    path("work/<int:pk>/", views.work, name="work"),
    path("talk/<int:pk>/", views.topic, name="topic"),
    path("talk/<int:pk>/reply", views.reply, name="reply"),
    path("talk/<int:pk>/posts/<int:post>", views.moderate, name="moderate"),
    path("<slug:slug>/", views.group, name="group"),
    path("<slug:slug>/about", views.about, name="about"),
    path("<slug:slug>/ask", views.ask, name="ask"),
    path("<slug:slug>/rules", views.ground_rules, name="rules"),
    path("<slug:slug>/edit", views.edit, name="edit"),
    path("<slug:slug>/members", views.members, name="members"),
    path("<slug:slug>/invite", views.invite, name="invite"),
    path("<slug:slug>/requests", views.requests, name="requests"),
    path("<slug:slug>/leave", views.leave, name="leave"),
    path("<slug:slug>/meetings", views.meetings, name="meetings"),
    path("<slug:slug>/meetings/new", views.meeting_new, name="meeting_new"),
    path("<slug:slug>/attendance", views.attendance, name="attendance"),
    path("<slug:slug>/attendance.csv", views.attendance_csv, name="attendance_csv"),
    path("<slug:slug>/calendar/<str:token>.ics", views.calendar, name="calendar"),
    path("<slug:slug>/work", views.works, name="works"),
    path("<slug:slug>/talk", views.topics, name="topics"),
]
