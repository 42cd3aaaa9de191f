"""What happens to a dossier, for the apps above dossiers (webhooks) to act on.

Sent inside the writing transaction, after the change: a receiver that writes rows writes them in
the same transaction (nothing for a change that rolls back), and queues any call out for after
the commit. `status_changed` is sent by `services.bump`, the single writer of dossier rows and the
hot path of online submissions: a receiver must cost next to nothing when it has nothing to do.
"""

from django.dispatch import Signal

# kwargs: dossier, event, previous_status.
# "status_changed": the dossier's status differs from the one it was read with (previous_status,
# None for a new row or when the row was read without it); drafts are not announced.
# "result_ready": a result paper (kết quả giải quyết) was attached (previous_status None).
# "notice": news the applicant is told of, kwarg notice: "accepted", "refused", "supplement",
#   "result" (approved or rejected), "apology" (an apology letter with a new date was issued).
# "step_assigned": the current step was given to people or a department (forward, reassign),
#   kwargs step, actor.
dossier_event = Signal()
