//! Table definitions, with only the types both backends share (see
//! `migrations/`): UUIDs as `Text`, UTC instants as `Timestamp`.

diesel::table! {
    structures (id) {
        id -> Text,
        name -> Text,
        department_code -> Text,
        city -> Text,
        service_name -> Text,
        letterhead -> Text,
        case_officer_name -> Nullable<Text>,
        case_officer_phone -> Nullable<Text>,
        case_officer_email -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        revision -> BigInt,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        structure_id -> Nullable<Text>,
        email -> Text,
        display_name -> Text,
        role -> Text,
        password_hash -> Text,
        active -> Bool,
        token_version -> Integer,
        last_login_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        structure_id -> Nullable<Text>,
        actor_id -> Nullable<Text>,
        actor_email -> Nullable<Text>,
        action -> Text,
        entity -> Text,
        entity_id -> Text,
        summary -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    login_failures (id) {
        id -> Text,
        throttle_key -> Text,
        failed_at -> Timestamp,
    }
}

diesel::table! {
    organizations (id) {
        id -> Text,
        structure_id -> Text,
        name -> Text,
        acronym -> Nullable<Text>,
        kind -> Text,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        name_key -> Text,
        search_key -> Text,
        archived_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    members (id) {
        id -> Text,
        structure_id -> Text,
        civility -> Nullable<Text>,
        first_name -> Text,
        last_name -> Text,
        function -> Nullable<Text>,
        organization_id -> Nullable<Text>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        search_key -> Text,
        archived_at -> Nullable<Timestamp>,
        anonymized_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    committees (id) {
        id -> Text,
        structure_id -> Text,
        name -> Text,
        kind -> Text,
        description -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    memberships (id) {
        id -> Text,
        structure_id -> Text,
        committee_id -> Text,
        member_id -> Text,
        role -> Text,
        since -> Nullable<Date>,
        until -> Nullable<Date>,
        substitute_for -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    meetings (id) {
        id -> Text,
        structure_id -> Text,
        committee_id -> Text,
        title -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        location -> Nullable<Text>,
        mode -> Text,
        chair_member_id -> Nullable<Text>,
        status -> Text,
        sequence -> Integer,
        auto_reminder_sent_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    agenda_items (id) {
        id -> Text,
        structure_id -> Text,
        meeting_id -> Text,
        position -> Integer,
        title -> Text,
        presenter -> Nullable<Text>,
        annex_label -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// A file's bytes, once however often it is attached.
    annex_contents (sha256) {
        sha256 -> Text,
        size -> BigInt,
        media_type -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    annex_chunks (sha256, seq) {
        sha256 -> Text,
        seq -> Integer,
        bytes -> Binary,
    }
}

diesel::table! {
    /// A file attached to a meeting, or to one of its agenda items.
    annexes (id) {
        id -> Text,
        structure_id -> Text,
        meeting_id -> Text,
        agenda_item_id -> Nullable<Text>,
        position -> Integer,
        file_name -> Text,
        sha256 -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    invitations (id) {
        id -> Text,
        structure_id -> Text,
        meeting_id -> Text,
        member_id -> Text,
        email -> Nullable<Text>,
        response -> Text,
        mode -> Nullable<Text>,
        presence -> Text,
        responded_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        answered_via -> Nullable<Text>,
        response_note -> Nullable<Text>,
    }
}

diesel::table! {
    /// The mail that came back to clu's mailbox, one row per message handled.
    inbound_messages (id) {
        id -> Text,
        message_key -> Text,
        kind -> Text,
        structure_id -> Nullable<Text>,
        meeting_id -> Nullable<Text>,
        invitation_id -> Nullable<Text>,
        sender -> Nullable<Text>,
        subject -> Nullable<Text>,
        outcome -> Text,
        received_at -> Nullable<Timestamp>,
        handled_at -> Timestamp,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        structure_id -> Nullable<Text>,
        kind -> Text,
        meeting_id -> Nullable<Text>,
        invitation_id -> Nullable<Text>,
        recipient -> Text,
        content -> Text,
        message_id -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claim -> Nullable<Text>,
        claimed_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        member_id -> Nullable<Text>,
    }
}

diesel::table! {
    /// The meetings that discussed an action, in order.
    action_meetings (action_id, meeting_id) {
        action_id -> Text,
        meeting_id -> Text,
        position -> Integer,
    }
}

diesel::table! {
    actions (id) {
        id -> Text,
        structure_id -> Text,
        committee_id -> Text,
        number -> Nullable<Integer>,
        finding -> Text,
        reference -> Nullable<Text>,
        sources -> Text,
        status -> Text,
        due_date -> Nullable<Date>,
        completed_on -> Nullable<Date>,
        cancel_reason -> Nullable<Text>,
        description -> Nullable<Text>,
        responsible -> Nullable<Text>,
        responsible_key -> Nullable<Text>,
        effective -> Nullable<Bool>,
        verification -> Nullable<Text>,
        meeting_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    indicators (id) {
        id -> Text,
        structure_id -> Text,
        committee_id -> Text,
        name -> Text,
        unit -> Text,
        direction -> Text,
        target -> Nullable<Double>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    indicator_values (id) {
        id -> Text,
        indicator_id -> Text,
        period -> Text,
        value -> Double,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    minutes (id) {
        id -> Text,
        structure_id -> Text,
        meeting_id -> Text,
        revision -> Integer,
        status -> Text,
        opening -> Nullable<Text>,
        items -> Text,
        post_meeting_notes -> Nullable<Text>,
        closing_time -> Nullable<Text>,
        comments -> Text,
        signed_by -> Nullable<Text>,
        signer_name -> Nullable<Text>,
        signer_function -> Nullable<Text>,
        signer_delegation -> Nullable<Text>,
        signed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        submitted_by -> Nullable<Text>,
        submitted_by_name -> Nullable<Text>,
        submitted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    documents (id) {
        id -> Text,
        structure_id -> Text,
        meeting_id -> Text,
        minutes_id -> Text,
        revision -> Integer,
        format -> Text,
        content -> Binary,
        sha256 -> Text,
        created_at -> Timestamp,
        signature_level -> Nullable<Text>,
        first_sha256 -> Nullable<Text>,
    }
}

diesel::table! {
    oidc_identities (issuer, subject) {
        issuer -> Text,
        subject -> Text,
        user_id -> Text,
        email -> Text,
        created_at -> Timestamp,
        last_used_at -> Timestamp,
    }
}

diesel::table! {
    oidc_requests (state) {
        state -> Text,
        nonce -> Text,
        pkce_verifier -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(users -> structures (structure_id));
diesel::joinable!(oidc_identities -> users (user_id));
diesel::joinable!(indicator_values -> indicators (indicator_id));
diesel::joinable!(agenda_items -> meetings (meeting_id));
diesel::joinable!(invitations -> meetings (meeting_id));
diesel::joinable!(annexes -> annex_contents (sha256));
diesel::joinable!(annex_chunks -> annex_contents (sha256));
diesel::joinable!(invitations -> members (member_id));
diesel::joinable!(meetings -> committees (committee_id));
diesel::joinable!(members -> organizations (organization_id));
diesel::joinable!(memberships -> members (member_id));
diesel::joinable!(memberships -> committees (committee_id));
diesel::joinable!(audit_events -> structures (structure_id));
diesel::joinable!(action_meetings -> actions (action_id));

diesel::allow_tables_to_appear_in_same_query!(
    structures,
    users,
    oidc_identities,
    oidc_requests,
    audit_events,
    login_failures,
    organizations,
    members,
    committees,
    memberships,
    meetings,
    agenda_items,
    invitations,
    inbound_messages,
    annex_contents,
    annex_chunks,
    annexes,
    outbox,
    actions,
    action_meetings,
    indicators,
    indicator_values,
    minutes,
    documents,
);
