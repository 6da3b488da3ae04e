"""The maintenance room: the background jobs every worker process runs beside the event worker.

One loop (:class:`inbox.maintenance.loop.MaintenanceLoop`) runs the jobs registered in
:func:`inbox.maintenance.jobs.maintenance_jobs`: purges of processed queue events and ended web
sessions, snooze wake-ups, SLA deadlines and ``no_reply`` waits, the business-hours recompute
and the report-block rebuilds. It sits at the top of ``inbox``: it calls the rooms' public
functions, and no room imports it.
"""
