from django.shortcuts import render


def home(request):
    return render(request, "works_map/home.html")
