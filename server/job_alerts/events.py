"""The notification a match of an instant job alert sends (docs/notifications.md).

``job_alert.match`` goes to the alert's owner, one per (user, job) however many of their
instant alerts the job matched, through ``NotificationService.notify`` (one call for every
recipient of a job): stored in the matching transaction, live on /notifications once it
commits.
"""

from __future__ import annotations

JOB_ALERT_MATCH = "job_alert.match"
