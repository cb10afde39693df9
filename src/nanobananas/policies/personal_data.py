"""What policies store about a person (notices sent, acceptances), for the registry."""

from __future__ import annotations

from nanobananas.registry.personal_data import Deletion, Link, PersonalData, reference, register

register(
    PersonalData(
        app_label="policies",
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
