"""Every write of the API through the client that openapi-python-client generates from
openapi/openapi.json: typed models, typed calls, `If-Match` taken from the ETag of the
read or the write before. `.ci/contract` generates the client as `lw_client` and runs
this against a served instance; it fails on the first unexpected answer.

Usage: client_example.py BASE_URL ADMIN_EMAIL ADMIN_PASSWORD
"""

import datetime
import sys
import uuid
from email.utils import parsedate_to_datetime

from lw_client import AuthenticatedClient, Client
from lw_client.api.account import change_password, get_me
from lw_client.api.auth import login, logout, refresh_tokens
from lw_client.api.content import create_service, get_hours, put_hours, update_service
from lw_client.api.directory import create_organization, update_organization
from lw_client.api.fieldwork import (
    close_referral,
    create_contact,
    create_home_visit,
    get_home_visit,
    record_home_visit_outcome,
    update_contact,
)
from lw_client.api.integrations import create_api_token, revoke_api_token
from lw_client.api.network import (
    create_contact_person,
    create_cooperation,
    create_network_meeting,
    end_cooperation,
    update_contact_person,
    update_network_meeting,
)
from lw_client.api.offices import create_office, relocate_office, update_office
from lw_client.api.privacy import list_access_log
from lw_client.api.staffing import assign_staff, end_assignment, handover
from lw_client.api.users import create_user, deactivate_user, reactivate_user, reset_password, update_user
from lw_client.models import (
    ActorType,
    AddressInput,
    AssignRequest,
    Audience,
    Channel,
    CloseReferralRequest,
    ContactDuration,
    ContactOutcome,
    ContactPatch,
    ContactPersonPatch,
    CooperationKind,
    Day,
    District,
    EndCooperationRequest,
    EndRequest,
    HandoverRequest,
    HomeVisitOutcomeRequest,
    HoursRequest,
    Interpreting,
    LocalizedText,
    LocationInput,
    LoginRequest,
    MeetingPatch,
    MeetingRole,
    MeetingType,
    NewContactPersonRequest,
    NewCooperationRequest,
    NewMeetingRequest,
    NewApiTokenRequest,
    NewContactRequest,
    NewContactRequestLanguagesItem,
    NewHomeVisitRequest,
    NewHomeVisitRequestLanguage,
    NewOfficeRequest,
    NewOrganizationRequest,
    NewServiceRequest,
    NewUserRequest,
    OfficeKind,
    OfficePatch,
    OfficeStatus,
    OrganizationKind,
    OrganizationPatch,
    ParticipantsInput,
    ParticipationInput,
    PartnerStaffing,
    PasswordChange,
    PasswordReset,
    ReferralInput,
    ReferralMode,
    ReferralOutcome,
    RefreshRequest,
    RelocationRequest,
    Role,
    ServicePatch,
    Side,
    SlotInput,
    SlotInputLanguagesItem,
    TargetCategory,
    TimeWindow,
    UserPatch,
    Visibility,
    VisitAddressInput,
    VisitContactRequest,
    VisitContactRequestLanguagesItem,
    VisitOutcome,
    VisitSource,
)


def expect(response, status):
    assert response.status_code == status, f"{response.status_code}, expected {status}: {response.content!r}"
    return response


def text(de, en=None):
    value = LocalizedText(de=de)
    if en:
        value["en"] = en
    return value


def sign_in(base, email, password):
    answer = expect(login.sync_detailed(client=Client(base), body=LoginRequest(email=email, password=password)), 200)
    server_now = parsedate_to_datetime(answer.headers["date"])
    return answer.parsed, server_now


def main(base, email, password):
    tokens, server_now = sign_in(base, email, password)
    admin = AuthenticatedClient(base, token=tokens.access_token)
    suffix = uuid.uuid4().hex[:8]

    provider = expect(
        create_organization.sync_detailed(
            client=admin,
            body=NewOrganizationRequest(kind=OrganizationKind.WELFARE_PROVIDER, name=f"Beispiel-Träger {suffix}"),
        ),
        201,
    )
    provider = expect(
        update_organization.sync_detailed(
            provider.parsed.id,
            client=admin,
            body=OrganizationPatch(website="https://example.org/traeger"),
            if_match=provider.headers["etag"],
        ),
        200,
    ).parsed

    address = AddressInput(street="Beispielweg 1", postal_code="44339", city="Dortmund", district=District.EVING)
    office = expect(
        create_office.sync_detailed(
            client=admin,
            body=NewOfficeRequest(
                slug=f"beispiel-{suffix}",
                name=f"lokal willkommen Beispiel {suffix}",
                kind=OfficeKind.OUTPOST,
                status=OfficeStatus.ACTIVE,
                provider_organization_id=provider.id,
                districts=[District.EVING],
                opened_on=datetime.date(2024, 1, 1),
                description=text("Ein Beispielbüro", "An example office"),
                location=LocationInput(valid_from=datetime.date(2024, 1, 1), address=address),
            ),
        ),
        201,
    )
    slug = office.parsed.slug
    expect(
        update_office.sync_detailed(
            slug, client=admin, body=OfficePatch(phone="0231 50 12 345"), if_match=office.headers["etag"]
        ),
        200,
    )

    hours = expect(get_hours.sync_detailed(slug, client=admin), 200)
    expect(
        put_hours.sync_detailed(
            slug,
            client=admin,
            body=HoursRequest(
                by_appointment=True,
                slots=[
                    SlotInput(
                        weekday=Day.MONDAY,
                        opens="09:00",
                        closes="12:00",
                        languages=[SlotInputLanguagesItem.DE, SlotInputLanguagesItem.AR],
                    )
                ],
            ),
            if_match=hours.headers["etag"],
        ),
        200,
    )
    expect(
        relocate_office.sync_detailed(
            slug,
            client=admin,
            body=RelocationRequest(
                moved_on=datetime.date(2025, 6, 1),
                address=AddressInput(
                    street="Evinger Platz 2", postal_code="44339", city="Dortmund", district=District.EVING
                ),
                premises="Ladenlokal",
            ),
        ),
        201,
    )

    service = expect(
        create_service.sync_detailed(
            client=admin,
            body=NewServiceRequest(
                office_id=office.parsed.id,
                name=text("Sprechstunde für Eltern"),
                description=text("Fragen rund um Kita und Schule"),
            ),
        ),
        201,
    )
    expect(
        update_service.sync_detailed(
            service.parsed.id,
            client=admin,
            body=ServicePatch(name=text("Elternsprechstunde")),
            if_match=service.headers["etag"],
        ),
        200,
    )

    # The partner network: an internal partner, published; a cooperation with the office,
    # ended; a network meeting it joined, corrected.
    partner = expect(
        create_organization.sync_detailed(
            client=admin,
            body=NewOrganizationRequest(
                kind=OrganizationKind.PARTNER,
                name=f"Beispielverein {suffix}",
                actor_type=ActorType.ASSOCIATION,
                staffing=PartnerStaffing.VOLUNTEER,
                districts=[District.EVING],
                visibility=Visibility.INTERNAL,
            ),
        ),
        201,
    )
    expect(
        update_organization.sync_detailed(
            partner.parsed.id,
            client=admin,
            body=OrganizationPatch(visibility=Visibility.PUBLIC),
            if_match=partner.headers["etag"],
        ),
        200,
    )
    cooperation = expect(
        create_cooperation.sync_detailed(
            partner.parsed.id,
            client=admin,
            body=NewCooperationRequest(
                office_id=office.parsed.id, kind=CooperationKind.JOINT_EVENTS, started_on=datetime.date(2025, 2, 1)
            ),
        ),
        201,
    ).parsed
    expect(
        end_cooperation.sync_detailed(
            partner.parsed.id,
            cooperation.id,
            client=admin,
            body=EndCooperationRequest(ended_on=datetime.date(2025, 12, 1)),
        ),
        200,
    )
    person = expect(
        create_contact_person.sync_detailed(
            partner.parsed.id,
            client=admin,
            body=NewContactPersonRequest(name="Erika Beispiel", function="Vorstand", language="de"),
        ),
        201,
    )
    expect(
        update_contact_person.sync_detailed(
            partner.parsed.id,
            person.parsed.id,
            client=admin,
            body=ContactPersonPatch(phone="0231 98 76 54", last_reviewed_on=server_now.date()),
            if_match=person.headers["etag"],
        ),
        200,
    )
    meeting = expect(
        create_network_meeting.sync_detailed(
            client=admin,
            body=NewMeetingRequest(
                type_=MeetingType.ROUND_TABLE,
                # The server's UTC day is never after its Dortmund day.
                held_on=server_now.date(),
                offices=[office.parsed.id],
                role=MeetingRole.ORGANIZER,
                title="Runder Tisch Nachbarschaft",
                topics=["housing"],
                participants=ParticipantsInput(
                    organizations=[ParticipationInput(organization_id=partner.parsed.id, persons=2)], residents=9
                ),
            ),
        ),
        201,
    )
    expect(
        update_network_meeting.sync_detailed(
            meeting.parsed.id,
            client=admin,
            body=MeetingPatch(follow_up_planned=True),
            if_match=meeting.headers["etag"],
        ),
        200,
    )

    def new_account(name):
        created = expect(
            create_user.sync_detailed(
                client=admin,
                body=NewUserRequest(
                    email=f"{name}.{suffix}@example.org",
                    display_name=f"{name.title()} Beispiel",
                    role=Role.STAFF,
                    employer_organization_id=provider.id,
                    password=f"Erstes-Kennwort-{suffix}-Lindenbaum",
                ),
            ),
            201,
        )
        return created

    first = new_account("erika")
    expect(
        update_user.sync_detailed(
            first.parsed.id,
            client=admin,
            body=UserPatch(display_name="Erika Beispiel-Muster"),
            if_match=first.headers["etag"],
        ),
        200,
    )
    second = new_account("max").parsed

    assignment = expect(
        assign_staff.sync_detailed(
            slug,
            client=admin,
            body=AssignRequest(side=Side.PROVIDER, user_id=first.parsed.id, started_on=datetime.date(2025, 1, 1)),
        ),
        201,
    ).parsed
    handed_over = expect(
        handover.sync_detailed(
            slug,
            client=admin,
            body=HandoverRequest(side=Side.PROVIDER, user_id=second.id, on=datetime.date(2025, 9, 1)),
        ),
        201,
    ).parsed
    assert handed_over.ended.id == assignment.id
    expect(
        end_assignment.sync_detailed(
            slug,
            str(handed_over.started.id),
            client=admin,
            body=EndRequest(ended_on=datetime.date(2026, 6, 30), reason="Elternzeit"),
        ),
        200,
    )

    # A consultation in the new office: recorded, corrected (If-Match), its referral closed.
    today = server_now.date()
    consultation = expect(
        create_contact.sync_detailed(
            slug,
            client=admin,
            body=NewContactRequest(
                occurred_on=today,
                channel=Channel.OFFICE_HOURS,
                duration=ContactDuration.VALUE_1,
                persons_present=2,
                first_contact=True,
                audience=Audience.REFUGEE,
                residence_district=District.EVING,
                languages=[NewContactRequestLanguagesItem.AR, NewContactRequestLanguagesItem.DE],
                interpreting=Interpreting.BY_STAFF,
                topics=["school-enrollment", "authorities-and-forms"],
                outcome=ContactOutcome.REFERRED,
                referrals=[
                    ReferralInput(
                        target_category=TargetCategory.AUTHORITY,
                        mode=ReferralMode.CONTACTED_ON_BEHALF,
                        consent_to_share=True,
                    )
                ],
            ),
        ),
        201,
    )
    corrected = expect(
        update_contact.sync_detailed(
            consultation.parsed.id,
            client=admin,
            body=ContactPatch(persons_present=3),
            if_match=consultation.headers["etag"],
        ),
        200,
    ).parsed
    assert corrected.version == 2 and corrected.persons_present == 3
    expect(
        close_referral.sync_detailed(
            corrected.referrals[0].id,
            client=admin,
            body=CloseReferralRequest(outcome=ReferralOutcome.TAKEN_UP),
        ),
        200,
    )

    # Home visits are for the office's staff and coordinators: a coordinator plans one,
    # reads it and records that it was done, with the visit's contact record.
    planner = expect(
        create_user.sync_detailed(
            client=admin,
            body=NewUserRequest(
                email=f"koordination.{suffix}@example.org",
                display_name="Koordination Beispiel",
                role=Role.COORDINATOR,
                employer_organization_id=provider.id,
                password=f"Erstes-Kennwort-{suffix}-Birkenweg",
            ),
        ),
        201,
    ).parsed
    initial, _ = sign_in(base, planner.email, f"Erstes-Kennwort-{suffix}-Birkenweg")
    own_password = f"Eigenes-Kennwort-{suffix}-Holunder"
    expect(
        change_password.sync_detailed(
            client=AuthenticatedClient(base, token=initial.access_token),
            body=PasswordChange(current_password=f"Erstes-Kennwort-{suffix}-Birkenweg", new_password=own_password),
        ),
        200,
    )
    coordinator_tokens, _ = sign_in(base, planner.email, own_password)
    coordinator = AuthenticatedClient(base, token=coordinator_tokens.access_token)
    visit = expect(
        create_home_visit.sync_detailed(
            slug,
            client=coordinator,
            body=NewHomeVisitRequest(
                planned_on=today + datetime.timedelta(days=2),
                time_window=TimeWindow.AFTERNOON,
                name="Familie Beispiel",
                address=VisitAddressInput(street="Beispielweg 3", postal_code="44339"),
                language=NewHomeVisitRequestLanguage.AR,
                source=VisitSource.HOUSING_COMPANY,
            ),
        ),
        201,
    ).parsed
    expect(get_home_visit.sync_detailed(visit.id, client=coordinator), 200)
    done = expect(
        record_home_visit_outcome.sync_detailed(
            visit.id,
            client=coordinator,
            body=HomeVisitOutcomeRequest(
                status=VisitOutcome.DONE,
                contact=VisitContactRequest(
                    occurred_on=today,
                    duration=ContactDuration.VALUE_2,
                    persons_present=4,
                    first_contact=True,
                    audience=Audience.REFUGEE,
                    languages=[VisitContactRequestLanguagesItem.AR],
                    interpreting=Interpreting.BY_STAFF,
                    topics=["childcare-place"],
                    outcome=ContactOutcome.INFORMATION_ONLY,
                ),
            ),
        ),
        200,
    ).parsed
    assert done.contact.channel == Channel.HOME_VISIT
    reads = expect(list_access_log.sync_detailed(client=admin, record_id=str(visit.id)), 200).parsed
    assert {entry.purpose.value for entry in reads.items} == {"read"}

    token = expect(
        create_api_token.sync_detailed(
            client=admin,
            body=NewApiTokenRequest(name=f"Stadtportal {suffix}", expires_at=server_now + datetime.timedelta(days=30)),
        ),
        201,
    ).parsed
    expect(revoke_api_token.sync_detailed(token.id, client=admin), 200)

    temporary = f"Zwischen-Kennwort-{suffix}-Ahornblatt"
    expect(reset_password.sync_detailed(second.id, client=admin, body=PasswordReset(password=temporary)), 204)
    expect(deactivate_user.sync_detailed(second.id, client=admin), 200)
    expect(reactivate_user.sync_detailed(second.id, client=admin), 200)

    # The account signs in with the temporary password and must change it first.
    own, _ = sign_in(base, second.email, temporary)
    own_client = AuthenticatedClient(base, token=own.access_token)
    assert expect(get_me.sync_detailed(client=own_client), 200).parsed.password_change_required
    expect(
        change_password.sync_detailed(
            client=own_client,
            body=PasswordChange(current_password=temporary, new_password=f"Eigenes-Kennwort-{suffix}-Kastanie"),
        ),
        200,
    )

    renewed = expect(
        refresh_tokens.sync_detailed(client=Client(base), body=RefreshRequest(refresh_token=tokens.refresh_token)), 200
    ).parsed
    expect(logout.sync_detailed(client=AuthenticatedClient(base, token=renewed.access_token)), 204)
    print("client example: every write answered as expected")


if __name__ == "__main__":
    main(*sys.argv[1:4])
