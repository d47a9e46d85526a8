from __future__ import annotations

from commonground import parts


class FrameworksConfig(parts.Part):
    name = "commonground.frameworks"
    verbose_name = "Frameworks"
    order = 17
    mounts = (parts.Mount("frameworks/", "commonground.frameworks.urls"),)
    api = "commonground.frameworks.api"
    demo = "commonground.frameworks.demo"
    nav = parts.NavEntry("Frameworks", "frameworks:frameworks")
