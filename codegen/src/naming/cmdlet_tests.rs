use super::*;

fn beta() -> NamePrefix {
    NamePrefix::from_server_url("https://graph.microsoft.com/beta/")
}

/// Trimmed non-empty rows of a table; `#` starts a comment row.
fn rows(table: &str) -> impl Iterator<Item = &str> {
    table
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// `input => expected` rows.
fn pairs(table: &str) -> impl Iterator<Item = (&str, &str)> {
    rows(table).map(|r| {
        r.split_once("=>")
            .map_or((r, ""), |(a, b)| (a.trim(), b.trim()))
    })
}

/// Rows of operationId, HTTP method, expected cmdlet, expected set action.
fn check(table: &str) {
    for row in rows(table) {
        let fields: Vec<&str> = row.split_whitespace().collect();
        let [id, method, full, set_action] = fields.as_slice() else {
            panic!("bad row: {row}")
        };
        let name = cmdlet_name(id, method, &beta());
        assert_eq!(
            (name.full().as_str(), name.set_action.as_str()),
            (*full, *set_action),
            "{id}"
        );
    }
}

/// Names exported by the published beta Applications module.
#[test]
fn published_names() {
    let name = cmdlet_name("application.synchronization.job_start", "post", &beta());
    assert_eq!(
        (name.verb.as_str(), name.noun.as_str()),
        ("Start", "MgBetaApplicationSynchronizationJob")
    );
    assert_eq!(
        name.to_string(),
        "Start-MgBetaApplicationSynchronizationJob"
    );
    check(
        "applications.synchronization.jobs_start post Start-MgBetaApplicationSynchronizationJob Start
            servicePrincipal.synchronization.job_start post Start-MgBetaServicePrincipalSynchronizationJob Start
            application_ListApplication get Get-MgBetaApplication List
            application_CreateApplication post New-MgBetaApplication Create
            application_UpdateApplication patch Update-MgBetaApplication Update
            application_DeleteApplication delete Remove-MgBetaApplication Delete
            application_restore post Restore-MgBetaApplication Restore
            application_ListOwnerGraphBPreRef get Get-MgBetaApplicationOwnerByRef List
            application_DeleteOwnerGraphBPreRef delete Remove-MgBetaApplicationOwnerByRef Delete
            application_ListOwnerAsUser get Get-MgBetaApplicationOwnerAsUser List
            application.Owner_GetCountAsUser get Get-MgBetaApplicationOwnerCountAsUser Get
            application_GetApplicationGraphBPreAppId get Get-MgBetaApplicationByAppId Get
            application_UpdateApplicationGraphBPreUniqueName patch Update-MgBetaApplicationByUniqueName Update
            application_getGraphBPreId post Get-MgBetaApplicationById Get
            application_GetCreatedOnBehalfGraphOPre get Get-MgBetaApplicationCreatedOnBehalfOf Get
            application_SetConnectorGroupGraphBPreRef put Set-MgBetaApplicationConnectorGroupByRef Set
            application.federatedIdentityCredential_GetGraphBPreName get Get-MgBetaApplicationFederatedIdentityCredentialByName Get
            application_SetLogo put Set-MgBetaApplicationLogo Set
            application_addKey post Add-MgBetaApplicationKey Add
            application_removePassword post Remove-MgBetaApplicationPassword Remove
            application_checkMemberGroup post Confirm-MgBetaApplicationMemberGroup Check
            application_getMemberObject post Get-MgBetaApplicationMemberObject Get
            application_unsetVerifiedPublisher post Clear-MgBetaApplicationVerifiedPublisher Unset
            application_delta get Get-MgBetaApplicationDelta Delta
            application_validateProperty post Test-MgBetaApplicationProperty Validate
            application.synchronization_ListJob get Get-MgBetaApplicationSynchronizationJob List
            application.synchronization.job_pause post Suspend-MgBetaApplicationSynchronizationJob Pause
            application.synchronization.job_restart post Restart-MgBetaApplicationSynchronizationJob Restart
            application.synchronization.job_provisionOnDemand post New-MgBetaApplicationSynchronizationJobOnDemand Provision
            application.synchronization.job_validateCredential post Test-MgBetaApplicationSynchronizationJobCredential Validate
            application.synchronization.job_SetBulkUploadContent put Set-MgBetaApplicationSynchronizationJobBulkUploadContent Set
            application.synchronization.job.schema.directory_discover post Find-MgBetaApplicationSynchronizationJobSchemaDirectory Discover
            application.synchronization.job.schema.directory_GetCount get Get-MgBetaApplicationSynchronizationJobSchemaDirectoryCount Get
            application.synchronization.job.schema_filterOperator get Invoke-MgBetaFilterApplicationSynchronizationJobSchemaOperator Filter
            application.synchronization.job.schema_function get Invoke-MgBetaFunctionApplicationSynchronizationJobSchema Function
            application.synchronization.job.schema_parseExpression post Invoke-MgBetaParseApplicationSynchronizationJobSchemaExpression Parse
            application.synchronization_acquireAccessToken post Get-MgBetaApplicationSynchronizationAccessToken Acquire
            application.synchronization_Ping get Ping-MgBetaApplicationSynchronization Ping
            application.synchronization_SetSecret put Set-MgBetaApplicationSynchronizationSecret Set
            applicationTemplate_ListApplicationTemplate get Get-MgBetaApplicationTemplate List
            applicationTemplate_instantiate post Invoke-MgBetaInstantiateApplicationTemplate Instantiate
            servicePrincipal_ListServicePrincipal get Get-MgBetaServicePrincipal List
            servicePrincipal_ListClaimsMappingPolicy get Get-MgBetaServicePrincipalClaimMappingPolicy List
            servicePrincipal_ListMemberGraphOPre get Get-MgBetaServicePrincipalMemberOf List
            servicePrincipal.MemberOf_GetCountAsGroup get Get-MgBetaServicePrincipalMemberOfCountAsGroup Get
            servicePrincipal_createPasswordSingleSignOnCredential post New-MgBetaServicePrincipalPasswordSingleSignOnCredential Create
            servicePrincipal_ListOauth2PermissionGrant get Get-MgBetaServicePrincipalOauth2PermissionGrant List
            onPremisesPublishingProfile.agentGroup_ListAgent get Get-MgBetaOnPremisePublishingProfileAgentGroupAgent List
            # `agent agent group`, then `agent group agent group`, collapse.
            onPremisesPublishingProfile.agentGroup.agent_ListAgentGroupGraphBPreRef get Get-MgBetaOnPremisePublishingProfileAgentGroupByRef List
            onPremisesPublishingProfile.connectorGroup_SetApplicationsLogo put Set-MgBetaOnPremisePublishingProfileConnectorGroupApplicationLogo Set
            onPremisesPublishingProfile.connector_CreateMemberGraphOPreGraphBPreRef post New-MgBetaOnPremisePublishingProfileConnectorMemberOfByRef Create
            # Module configuration, not a rule, collapses the repeated profile.
            onPremisesPublishingProfile_ListOnPremisesPublishingProfile get Get-MgBetaOnPremisePublishingProfileOnPremisePublishingProfile List
            # Plural ids of 2020; `credentials` stays plural as in that module.
            applications.synchronization.jobs.schema_functions get Invoke-MgBetaFunctionApplicationSynchronizationJobSchema Functions
            applications_checkMemberGroups post Confirm-MgBetaApplicationMemberGroup Check
            onPremisesPublishingProfiles.agentGroups.agents_ListAgentGroups get Get-MgBetaOnPremisePublishingProfileAgentGroup List
            applications.synchronization.jobs_validateCredentials post Test-MgBetaApplicationSynchronizationJobCredentials Validate
            # Unprotected prepositions split the method; the words after are lost.
            applications_getByIds post Get-MgBetaApplication Get
            servicePrincipals_ListRefMemberOf get Get-MgBetaServicePrincipalRefMember List",
    );
}

#[test]
fn method_inference_and_odd_input() {
    check(
        "# Two words: verb second; neither a verb (the first word is the action).
            thing_ownerList get Get-MgBetaThingOwner List
            thing_frobnicateWidget post Invoke-MgBetaFrobnicateThingWidget Frobnicate
            # Verb last: the words before join the noun. Verb in the middle:
            # only the group stays (AutoRest drops the rest). No verb: first word.
            thing_widgetOwnerList get Get-MgBetaThingWidgetOwner List
            thing_widgetListOwners get Get-MgBetaThing List
            thing_zorbWidgetOwner post Invoke-MgBetaZorbThingWidgetOwner Zorb
            thing_ListAllWidgets get Get-MgBetaThingWidget List
            # Prepositions split, but not `signIn` nor in first position.
            thing_GetWidgetsInFolder get Get-MgBetaThingWidget Get
            thing_ListSignInEvents get Get-MgBetaThingSignInEvent List
            thing_forwardToManager post Invoke-MgBetaForwardThingToManager Forward
            # `post` adds nothing to the noun; Update and Patch on PUT are Set.
            thing_post post Invoke-MgBetaThing Post
            thing_UpdateWidget put Set-MgBetaThingWidget Update
            thing_Patch put Set-MgBetaThing Patch
            thing_forceReboot post Restart-MgBetaThing ForceReboot
            thing_execute post Invoke-MgBetaExecuteThing Execute
            thing_verifyDomain post Confirm-MgBetaThingDomain Verify
            _start post Start-MgBeta Start
            _ delete Remove-MgBeta Delete
            thing_ trace Invoke-MgBetaThing Post
            thing_all get Get-MgBetaThing Get
            thing get Invoke-MgBetaThing Thing
            a.b_c_d get Invoke-MgBetaCABD C
            thing_or get Invoke-MgBetaOrThing Or
            thing_getWidgetOr get Get-MgBetaThingWidget Get
            thing_delta GET Get-MgBetaThingDelta Delta
            日本_取得 get Get-MgBeta Get
            ünïcödé_lïst get Invoke-MgBetaLNCDSt L
            # Placeholders turn back into prepositions only after a lower-case
            # letter; repeated single words and pairs collapse, longer runs stay.
            GraphBPre_GetGraphBPre get Get-MgBetaGraphBPreBy Get
            thing_ListWidgetGraphWPreOwnerGraphAPreDateGraphFPreUser get Get-MgBetaThingWidgetWithOwnerAtDateForUser List
            thing_getV2GraphBPreName get Get-MgBetaThingV2GraphBPreName Get
            thing.thing_ListThingThing get Get-MgBetaThing List
            alpha.beta.gamma_ListAlphaBetaGamma get Get-MgBetaAlphaBetaGammaAlphaBetaGamma List",
    );
    assert_eq!(cmdlet_name("", "post", &beta()).full(), "Invoke-MgBeta");
}

#[test]
fn or_gives_two_cmdlets_and_stays_cheap() {
    let names = |id: &str| {
        cmdlet_names(id, "post", &beta())
            .into_iter()
            .map(|n| n.full())
    };
    let both = ["New-MgBetaUserOnlineMeeting", "Get-MgBetaUserOnlineMeeting"];
    assert!(names("user.onlineMeeting_createOrGet").eq(both));
    assert_eq!(
        cmdlet_name("a_createOrUpdateB", "post", &beta()).full(),
        "New-MgBetaAB"
    );
    let many = names(&format!("thing_create{}", "OrUpdate".repeat(200))).count();
    assert!((1..=INFER_BUDGET).contains(&many));
    let long = format!("{}_list{}", "group.".repeat(5_000), "Owner".repeat(5_000));
    assert_eq!(
        cmdlet_name(&long, "get", &beta()).full(),
        "Get-MgBetaGroupOwner"
    );
    let _ = cmdlet_name(&"\u{0}_\u{FFFF}".repeat(1_000), "get", &beta());
}

#[test]
fn parameter_names_and_prefixes() {
    let table = "application-id => ApplicationId
            synchronizationJob-id => SynchronizationJobId
            oAuth2PermissionGrant-id => OAuth2PermissionGrantId
            onPremisesAgentGroup-id1 => OnPremisesAgentGroupId1
            ipApplicationSegment-id => IpApplicationSegmentId
            appId => AppId
            uniqueName => UniqueName
            id-id => Id
            getIPAddressIPRange => GetIpAddressIpRange
            a__b..c--d  e => ABCDE
            日本-id => Id
            -- =>
            =>";
    for (placeholder, expected) in pairs(table) {
        assert_eq!(parameter_name(placeholder), expected, "{placeholder:?}");
    }
    let table = "https://graph.microsoft.com/beta/ => Beta
            https://graph.microsoft.com/BETA// => Beta
            https://graph.microsoft.com/beta?x=1#y => Beta
            https://graph.microsoft.com/v1.0/ =>
            https://example.com/ =>
            ß://ü =>
            =>";
    for (url, subject_prefix) in pairs(table) {
        let prefix = NamePrefix::from_server_url(url);
        assert_eq!(
            (prefix.prefix.as_str(), prefix.subject_prefix.as_str()),
            ("Mg", subject_prefix)
        );
    }
    let v1 = NamePrefix::from_server_url("https://graph.microsoft.com/v1.0");
    assert_eq!(
        cmdlet_name("application_GetApplication", "get", &v1).full(),
        "Get-MgApplication"
    );
}

/// PowerShell's approved verbs (`Get-Verb`).
const APPROVED_VERBS: &str = "Add Approve Assert Backup Block Build Checkpoint Clear Close Compare
        Complete Compress Confirm Connect Convert ConvertFrom ConvertTo Copy Debug Deny Deploy Disable
        Disconnect Dismount Edit Enable Enter Exit Expand Export Find Format Get Grant Group Hide Import
        Initialize Install Invoke Join Limit Lock Measure Merge Mount Move New Open Optimize Out Ping Pop
        Protect Publish Push Read Receive Redo Register Remove Rename Repair Request Reset Resize Resolve
        Restart Restore Resume Revoke Save Search Select Send Set Show Skip Split Start Step Stop Submit
        Suspend Switch Sync Test Trace Unblock Undo Uninstall Unlock Unprotect Unpublish Unregister
        Update Use Wait Watch Write";

fn is_approved(verb: &str) -> bool {
    APPROVED_VERBS.split_whitespace().any(|v| v == verb)
}

#[test]
fn verb_tables() {
    let table = "Start Start, Ping Ping, Restore Restore, Pause Suspend, Validate Test, Check Test,
            Provision New, List Get, Acquire Get, Create New, Patch Update, Put Set, Delete Remove,
            Add Add, Unset Clear, Discover Find, update@PUT Set, Patch@put Set, Create@put New";
    for pair in table.split(',').map(str::trim) {
        let (key, verb) = pair.split_once(' ').unwrap_or_default();
        let (action, method) = key.split_once('@').unwrap_or((key, "post"));
        assert_eq!(verb_for(action, method), Some(verb), "{pair}");
    }
    for unknown in ["Filter", "Delta", "Instantiate", ""] {
        assert_eq!(verb_for(unknown, "get"), None);
    }
    let mut seen = std::collections::BTreeSet::new();
    for key in VERB_GROUPS
        .iter()
        .flat_map(|(_, actions)| *actions)
        .chain(SAME_NAME_VERBS)
    {
        assert!(seen.insert(key.to_ascii_lowercase()), "{key} listed twice");
    }
    for verb in VERB_GROUPS
        .iter()
        .map(|(verb, _)| verb)
        .chain(SAME_NAME_VERBS)
    {
        assert!(is_approved(verb), "{verb}");
    }
    let english: Vec<&str> = ENGLISH_VERBS.split_ascii_whitespace().collect();
    assert!(
        english.windows(2).all(|w| w.first() < w.last()),
        "unsorted or repeated"
    );
    assert!(
        english
            .iter()
            .all(|w| w.bytes().all(|b| b.is_ascii_lowercase()))
    );
    for (word, verb) in [
        ("get", true),
        ("provision", true),
        ("filter", true),
        ("delta", false),
    ] {
        assert_eq!(is_english_verb(word), verb, "{word}");
    }
}

/// Names every operation of the real module documents found under
/// `GRAPH_SPECS_DIR` (the folder holding `graph-beta/`). Set
/// `PRINT_CMDLET_NAMES` to list the names.
#[test]
fn names_every_operation_of_the_real_documents() {
    let Some(dir) = std::env::var_os("GRAPH_SPECS_DIR") else {
        eprintln!("skipped: GRAPH_SPECS_DIR not set");
        return;
    };
    let dir = std::path::PathBuf::from(dir).join("graph-beta");
    for file in ["applications-2024-03-12.yml", "applications-2020-09-22.yml"] {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        let doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        let prefix =
            NamePrefix::from_server_url(doc["servers"][0]["url"].as_str().unwrap_or_default());
        assert_eq!(prefix.subject_prefix, "Beta", "{file}: server URL");

        let mut names = std::collections::BTreeSet::new();
        let mut operations = 0;
        let paths = doc["paths"]
            .as_mapping()
            .map(|m| m.values().collect::<Vec<_>>())
            .unwrap_or_default();
        for method in ["get", "put", "post", "patch", "delete"] {
            for id in paths
                .iter()
                .filter_map(|item| item[method]["operationId"].as_str())
            {
                operations += 1;
                let name = cmdlet_name(id, method, &prefix);
                let subject = name.noun.strip_prefix("MgBeta").unwrap_or_default();
                let well_formed = is_approved(&name.verb)
                    && subject.starts_with(|c: char| c.is_ascii_uppercase())
                    && subject.bytes().all(|b| b.is_ascii_alphanumeric())
                    && !["BPre", "OPre", "WPre", "APre", "FPre"]
                        .iter()
                        .any(|p| subject.contains(p))
                    && !name.set_action.is_empty();
                assert!(
                    well_formed,
                    "{id} ({method}) -> {name} ({})",
                    name.set_action
                );
                names.insert(name.full());
            }
        }
        eprintln!(
            "{file}: {operations} operations, {} distinct cmdlet names",
            names.len()
        );
        assert!(operations > 300, "{file}: only {operations} operations");
        let mut expected = vec![
            "Start-MgBetaApplicationSynchronizationJob",
            "Start-MgBetaServicePrincipalSynchronizationJob",
            "Get-MgBetaApplicationDelta",
            "Confirm-MgBetaServicePrincipalMemberGroup",
        ];
        if file.starts_with("applications-2024") {
            expected.extend([
                "Get-MgBetaApplicationOwnerByRef",
                "Get-MgBetaApplicationCreatedOnBehalfOf",
                "Test-MgBetaApplicationSynchronizationJobCredential",
                "Get-MgBetaOnPremisePublishingProfileConnectorMemberOfByRef",
            ]);
        }
        for name in expected {
            assert!(names.contains(name), "{file}: {name} missing");
        }
        if std::env::var_os("PRINT_CMDLET_NAMES").is_some() {
            names.iter().for_each(|name| eprintln!("  {name}"));
        }
    }
}
