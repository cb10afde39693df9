"""What the audit log holds about a person (owner keys and actors, never content), for the registry."""

from __future__ import annotations

from nanobananas.registry.personal_data import Deletion, Link, PersonalData, reference, register

register(
    PersonalData(
        app_label="audit",
        references=(
            reference("audit.AuditEvent.owner_key", Link.OWNER_KEY, Deletion.LEGAL,
                      "append-only audit trail of ids and hashes (generation events logged for audits)"),
            reference("audit.AuditEvent.actor", Link.ACTOR, Deletion.LEGAL,
                      "who acted (user:<id>, staff:<id>, system), kept with the audit trail"),
        ),
    )
)  # fmt: skip
