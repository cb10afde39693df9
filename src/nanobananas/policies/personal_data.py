"""What policies store about a person (notices sent, acceptances), for the registry."""

from __future__ import annotations

from nanobananas.policies.selectors import acceptance_list
from nanobananas.registry.personal_data import (
    Deletion,
    Exporter,
    ExportSection,
    Link,
    PersonalData,
    reference,
    register,
)

__all__ = ["policies_export"]


def policies_export(user_id: int) -> list[ExportSection]:
    """account.json: policy_acceptances, each version the person accepted, when and how."""
    accepted = [
        {"kind": a.document.kind, "version": a.document.version, "at": a.at, "how": a.how}
        for a in acceptance_list(user_id=user_id)
    ]
    return [ExportSection("account.json", {"policy_acceptances": accepted})]


register(
    PersonalData(
        app_label="policies",
        export=Exporter(files=policies_export),
        references=(
            reference("policies.PolicyDocument.created_by", Link.USER, Deletion.ANONYMISED,
                      "the staff member who wrote a policy version",
                      left_out="created_by: the staff member who drafted a policy version, not that person's data"),
            reference("policies.PolicyNotice.user", Link.USER, Deletion.KEPT,
                      "the record that a policy change was sent to the person",
                      left_out="when a service email went out; what the user did about it is in policy_acceptances"),
            reference("policies.PolicyAcceptance.user", Link.USER, Deletion.KEPT,
                      "policy acceptances belong to the consent log",
                      exported="account.json: policy_acceptances (kind, version, time, how)"),
        ),
    )
)  # fmt: skip
