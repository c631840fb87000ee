//! Tests of the PowerShell-style parameter binder against cmdlet metadata
//! written the way the generator emits it (`static` items).

use mg_runtime::binder::{
    BindError, BindErrorId, Bound, CmdletMeta, Common, ParamMeta, ParamType, SetMembership, Sets,
    Value, bind,
};

// ---------------------------------------------------------------------------
// Metadata

const OPTIONAL_ALL: Sets = Sets::All {
    mandatory: false,
    from_pipeline: false,
};

const fn switch(name: &'static str, aliases: &'static [&'static str]) -> ParamMeta {
    ParamMeta {
        name,
        aliases,
        ty: ParamType::Switch,
        type_name: "",
        sets: OPTIONAL_ALL,
    }
}

/// Mirrors the seed help of Start-MgBetaApplicationSynchronizationJob, in the
/// order of its syntax block.
static START_JOB: CmdletMeta = CmdletMeta {
    name: "Start-MgBetaApplicationSynchronizationJob",
    default_set: "Start",
    sets: &["Start", "StartViaIdentity"],
    params: &[
        ParamMeta {
            name: "ApplicationId",
            aliases: &["ObjectId"],
            ty: ParamType::String,
            type_name: "System.String",
            sets: Sets::Some(&[SetMembership {
                set: "Start",
                mandatory: true,
                from_pipeline: false,
            }]),
        },
        ParamMeta {
            name: "SynchronizationJobId",
            aliases: &[],
            ty: ParamType::String,
            type_name: "System.String",
            sets: Sets::Some(&[SetMembership {
                set: "Start",
                mandatory: true,
                from_pipeline: false,
            }]),
        },
        ParamMeta {
            name: "InputObject",
            aliases: &[],
            ty: ParamType::Identity,
            type_name: "Microsoft.Graph.Beta.PowerShell.Models.IApplicationsIdentity",
            sets: Sets::Some(&[SetMembership {
                set: "StartViaIdentity",
                mandatory: true,
                from_pipeline: true,
            }]),
        },
        ParamMeta {
            name: "ResponseHeadersVariable",
            aliases: &["RHV"],
            ty: ParamType::String,
            type_name: "System.String",
            sets: OPTIONAL_ALL,
        },
        switch("Break", &[]),
        ParamMeta {
            name: "Headers",
            aliases: &[],
            ty: ParamType::Dictionary,
            type_name: "System.Collections.IDictionary",
            sets: Sets::All {
                mandatory: false,
                from_pipeline: true,
            },
        },
        ParamMeta {
            name: "HttpPipelineAppend",
            aliases: &[],
            ty: ParamType::PipelineSteps,
            type_name: "Microsoft.Graph.Beta.PowerShell.Runtime.SendAsyncStep[]",
            sets: OPTIONAL_ALL,
        },
        ParamMeta {
            name: "HttpPipelinePrepend",
            aliases: &[],
            ty: ParamType::PipelineSteps,
            type_name: "Microsoft.Graph.Beta.PowerShell.Runtime.SendAsyncStep[]",
            sets: OPTIONAL_ALL,
        },
        switch("PassThru", &[]),
        ParamMeta {
            name: "Proxy",
            aliases: &[],
            ty: ParamType::Uri,
            type_name: "System.Uri",
            sets: OPTIONAL_ALL,
        },
        ParamMeta {
            name: "ProxyCredential",
            aliases: &[],
            ty: ParamType::Credential,
            type_name: "System.Management.Automation.PSCredential",
            sets: OPTIONAL_ALL,
        },
        switch("ProxyUseDefaultCredentials", &[]),
        switch("WhatIf", &["wi"]),
        switch("Confirm", &["cf"]),
    ],
    common: Common::NONE,
};

/// A list/get cmdlet with typed parameters and a set-specific String taking
/// pipeline input. `List` and `Search` have no mandatory parameter.
static WIDGET: CmdletMeta = CmdletMeta {
    name: "Get-MgBetaWidget",
    default_set: "List",
    sets: &["List", "Search", "Get", "GetViaIdentity"],
    params: &[
        ParamMeta {
            name: "WidgetId",
            aliases: &[],
            ty: ParamType::String,
            type_name: "",
            sets: Sets::Some(&[SetMembership {
                set: "Get",
                mandatory: true,
                from_pipeline: false,
            }]),
        },
        ParamMeta {
            name: "Name",
            aliases: &[],
            ty: ParamType::String,
            type_name: "",
            sets: Sets::Some(&[SetMembership {
                set: "Get",
                mandatory: false,
                from_pipeline: true,
            }]),
        },
        ParamMeta {
            name: "InputObject",
            aliases: &[],
            ty: ParamType::Identity,
            type_name: "Microsoft.Graph.Beta.PowerShell.Models.IWidgetsIdentity",
            sets: Sets::Some(&[SetMembership {
                set: "GetViaIdentity",
                mandatory: true,
                from_pipeline: true,
            }]),
        },
        ParamMeta {
            name: "Query",
            aliases: &[],
            ty: ParamType::String,
            type_name: "",
            sets: Sets::Some(&[SetMembership {
                set: "Search",
                mandatory: false,
                from_pipeline: false,
            }]),
        },
        ParamMeta {
            name: "Top",
            aliases: &["Limit"],
            ty: ParamType::Int32,
            type_name: "",
            sets: Sets::Some(&[SetMembership {
                set: "List",
                mandatory: false,
                from_pipeline: false,
            }]),
        },
        ParamMeta {
            name: "Skip",
            aliases: &[],
            ty: ParamType::Int64,
            type_name: "",
            sets: Sets::Some(&[SetMembership {
                set: "List",
                mandatory: false,
                from_pipeline: false,
            }]),
        },
        ParamMeta {
            name: "Property",
            aliases: &["Select"],
            ty: ParamType::StringArray,
            type_name: "",
            sets: OPTIONAL_ALL,
        },
        ParamMeta {
            name: "Enabled",
            aliases: &[],
            ty: ParamType::Boolean,
            type_name: "",
            sets: OPTIONAL_ALL,
        },
    ],
    common: Common::NONE,
};

/// Odd shapes: aliases that collide only through prefixes, a default set that
/// is not one of the sets, a mandatory list in every set.
static THING: CmdletMeta = CmdletMeta {
    name: "Set-MgBetaThing",
    default_set: "C",
    sets: &["A", "B", "D", "E"],
    params: &[
        ParamMeta {
            name: "Alpha",
            aliases: &["Xa"],
            ty: ParamType::String,
            type_name: "",
            sets: Sets::Some(&[SetMembership {
                set: "A",
                mandatory: true,
                from_pipeline: false,
            }]),
        },
        ParamMeta {
            name: "Beta",
            aliases: &["Xb"],
            ty: ParamType::String,
            type_name: "",
            sets: Sets::Some(&[SetMembership {
                set: "B",
                mandatory: true,
                from_pipeline: false,
            }]),
        },
        ParamMeta {
            name: "Dee",
            aliases: &[],
            ty: ParamType::String,
            type_name: "",
            sets: Sets::Some(&[
                SetMembership {
                    set: "D",
                    mandatory: false,
                    from_pipeline: false,
                },
                SetMembership {
                    set: "E",
                    mandatory: false,
                    from_pipeline: false,
                },
            ]),
        },
        switch("Zed", &["Pq"]),
        ParamMeta {
            name: "Pqr",
            aliases: &[],
            ty: ParamType::String,
            type_name: "",
            sets: OPTIONAL_ALL,
        },
        ParamMeta {
            name: "Roles",
            aliases: &[],
            ty: ParamType::StringArray,
            type_name: "",
            sets: Sets::All {
                mandatory: true,
                from_pipeline: false,
            },
        },
    ],
    common: Common::NONE,
};

/// A cmdlet without parameters or sets.
static BARE: CmdletMeta = CmdletMeta {
    name: "Get-MgBetaNothing",
    default_set: "__AllParameterSets",
    sets: &[],
    params: &[],
    common: Common::NONE,
};

// ---------------------------------------------------------------------------
// Table

/// Expected value of one bound parameter.
#[derive(Debug)]
enum Ev {
    S(&'static str),
    Sw(bool),
    L(&'static [&'static str]),
    /// JSON text, compared as parsed JSON.
    J(&'static str),
}

#[derive(Debug)]
enum Expect {
    Ok {
        set: &'static str,
        values: &'static [(&'static str, Ev)],
        pipe: Option<&'static str>,
    },
    Err(BindErrorId, &'static str),
}

struct Case {
    meta: &'static CmdletMeta,
    args: &'static [&'static str],
    /// Pipeline object as JSON text.
    pipe: Option<&'static str>,
    expect: Expect,
}

use Ev::*;
use Expect::Err as E;

const fn ok(
    meta: &'static CmdletMeta,
    args: &'static [&'static str],
    set: &'static str,
    values: &'static [(&'static str, Ev)],
) -> Case {
    Case {
        meta,
        args,
        pipe: None,
        expect: Expect::Ok {
            set,
            values,
            pipe: None,
        },
    }
}

const fn err(
    meta: &'static CmdletMeta,
    args: &'static [&'static str],
    id: BindErrorId,
    msg: &'static str,
) -> Case {
    Case {
        meta,
        args,
        pipe: None,
        expect: E(id, msg),
    }
}

const fn piped(
    meta: &'static CmdletMeta,
    args: &'static [&'static str],
    pipe: &'static str,
    expect: Expect,
) -> Case {
    Case {
        meta,
        args,
        pipe: Some(pipe),
        expect,
    }
}

const SJ: &CmdletMeta = &START_JOB;
const WG: &CmdletMeta = &WIDGET;
const TH: &CmdletMeta = &THING;

const AB: &[(&str, Ev)] = &[("ApplicationId", S("a")), ("SynchronizationJobId", S("b"))];

const NOT_FOUND: BindErrorId = BindErrorId::NamedParameterNotFound;
const AMBIGUOUS: BindErrorId = BindErrorId::AmbiguousParameter;
const MISSING_ARG: BindErrorId = BindErrorId::MissingArgument;
const EMPTY: BindErrorId = BindErrorId::ParameterArgumentValidationErrorEmptyStringNotAllowed;
const NULL: BindErrorId = BindErrorId::ParameterArgumentValidationErrorNullNotAllowed;
const MISSING: BindErrorId = BindErrorId::MissingMandatoryParameter;
const SET: BindErrorId = BindErrorId::AmbiguousParameterSet;
const POSITIONAL: BindErrorId = BindErrorId::PositionalParameterNotFound;
const NOT_BOUND: BindErrorId = BindErrorId::InputObjectNotBound;
const TWICE: BindErrorId = BindErrorId::ParameterAlreadyBound;
const INVALID: BindErrorId = BindErrorId::InvalidArgument;

const MSG_SET: &str = "Parameter set cannot be resolved using the specified named parameters. One or more parameters issued cannot be used together or an insufficient number of parameters were provided.";
const MSG_NOT_BOUND: &str = "The input object cannot be bound to any parameters for the command either because the command does not take pipeline input or the input and its properties do not match any of the parameters that take pipeline input.";
const MSG_MISSING_BOTH: &str = "Cannot process command because of one or more missing mandatory parameters: ApplicationId SynchronizationJobId.";
const MSG_MISSING_JOB: &str = "Cannot process command because of one or more missing mandatory parameters: SynchronizationJobId.";
const MSG_APP_MISSING_ARG: &str = "Missing an argument for parameter 'ApplicationId'. Specify a parameter of type 'System.String' and try again.";
const MSG_APP_EMPTY: &str =
    "Cannot bind argument to parameter 'ApplicationId' because it is an empty string.";
const IDENTITY: &str = r#"{"ApplicationId":"a","SynchronizationJobId":"b"}"#;

#[rustfmt::skip]
static CASES: &[Case] = &[
    // Names, aliases, prefixes, syntax forms.
    ok(SJ, &["-ApplicationId", "a", "-SynchronizationJobId", "b"], "Start", AB),
    ok(SJ, &["-applicationid", "a", "-SYNCHRONIZATIONJOBID", "b"], "Start", AB),
    ok(SJ, &["-ObjectId", "a", "-SynchronizationJobId", "b"], "Start", AB),
    ok(SJ, &["-objectID", "a", "-Sync", "b"], "Start", AB),
    ok(SJ, &["-App", "a", "-S", "b"], "Start", AB),
    ok(SJ, &["-Obj", "a", "-synchronizationjob", "b"], "Start", AB),
    ok(SJ, &["-ApplicationId:a", "-SynchronizationJobId:b"], "Start", AB),
    ok(SJ, &["-SynchronizationJobId", "b", "-ApplicationId:", "a"], "Start", AB),
    ok(SJ, &["-ApplicationId:", "-x", "-SynchronizationJobId", "b"], "Start", &[("ApplicationId", S("-x")), ("SynchronizationJobId", S("b"))]),
    ok(SJ, &["-ApplicationId:a:b", "-SynchronizationJobId", "b"], "Start", &[("ApplicationId", S("a:b")), ("SynchronizationJobId", S("b"))]),
    ok(SJ, &["\u{2013}ApplicationId", "a", "\u{2014}SynchronizationJobId", "b"], "Start", AB),
    // GNU style.
    ok(SJ, &["--application-id", "a", "--synchronization-job-id=b"], "Start", AB),
    ok(SJ, &["--object-id=a", "--sync", "b", "--pass-thru", "--what-if"], "Start", &[("ApplicationId", S("a")), ("SynchronizationJobId", S("b")), ("PassThru", Sw(true)), ("WhatIf", Sw(true))]),
    ok(SJ, &["--app", "a", "--SynchronizationJobId", "b", "--proxy-c", "u"], "Start", &[("ApplicationId", S("a")), ("SynchronizationJobId", S("b")), ("ProxyCredential", S("u"))]),
    err(SJ, &["--application-id=", "--synchronization-job-id", "b"], EMPTY, MSG_APP_EMPTY),
    ok(SJ, &["--app=a=b", "--sync", "b"], "Start", &[("ApplicationId", S("a=b")), ("SynchronizationJobId", S("b"))]),
    // Switches.
    ok(SJ, &["-PassThru", "-ApplicationId", "a", "-SynchronizationJobId", "b"], "Start", &[("ApplicationId", S("a")), ("SynchronizationJobId", S("b")), ("PassThru", Sw(true))]),
    ok(SJ, &["-PassThru:$false", "-App", "a", "-Sync", "b"], "Start", &[("ApplicationId", S("a")), ("SynchronizationJobId", S("b")), ("PassThru", Sw(false))]),
    ok(SJ, &["-PassThru:$TRUE", "-App", "a", "-Sync", "b", "-Break:false", "-Confirm:True", "-WhatIf:0", "-ProxyUseDefaultCredentials:1"], "Start", &[("ApplicationId", S("a")), ("SynchronizationJobId", S("b")), ("PassThru", Sw(true)), ("Break", Sw(false)), ("Confirm", Sw(true)), ("WhatIf", Sw(false)), ("ProxyUseDefaultCredentials", Sw(true))]),
    ok(SJ, &["-PassThru:", "$false", "-App", "a", "-Sync", "b", "--what-if=FALSE"], "Start", &[("ApplicationId", S("a")), ("SynchronizationJobId", S("b")), ("PassThru", Sw(false)), ("WhatIf", Sw(false))]),
    ok(SJ, &["-PassThru:$null", "-App", "a", "-Sync", "b"], "Start", &[("ApplicationId", S("a")), ("SynchronizationJobId", S("b")), ("PassThru", Sw(false))]),
    ok(SJ, &["-wi", "-cf", "-App", "a", "-Sync", "b"], "Start", &[("ApplicationId", S("a")), ("SynchronizationJobId", S("b")), ("WhatIf", Sw(true)), ("Confirm", Sw(true))]),
    // One parameter reached through its name and its alias is not ambiguous.
    ok(SJ, &["-W", "-C", "-O", "a", "-Sync", "b", "-R", "v"], "Start", &[("ApplicationId", S("a")), ("SynchronizationJobId", S("b")), ("WhatIf", Sw(true)), ("Confirm", Sw(true)), ("ResponseHeadersVariable", S("v"))]),
    ok(SJ, &["-RHV", "h", "-App", "a", "-Sync", "b"], "Start", &[("ApplicationId", S("a")), ("SynchronizationJobId", S("b")), ("ResponseHeadersVariable", S("h"))]),
    // Exact name wins over longer names it prefixes.
    ok(SJ, &["-Proxy", "http://proxy:8080", "-App", "a", "-Sync", "b"], "Start", &[("ApplicationId", S("a")), ("SynchronizationJobId", S("b")), ("Proxy", S("http://proxy:8080"))]),
    ok(SJ, &["-proxy:socks5://127.0.0.1:1080", "-App", "a", "-Sync", "b"], "Start", &[("ApplicationId", S("a")), ("SynchronizationJobId", S("b")), ("Proxy", S("socks5://127.0.0.1:1080"))]),
    // Values that look like numbers or a lone dash are arguments.
    ok(SJ, &["-ApplicationId", "-5", "-SynchronizationJobId", "-.5"], "Start", &[("ApplicationId", S("-5")), ("SynchronizationJobId", S("-.5"))]),
    ok(SJ, &["-ApplicationId", "-", "-SynchronizationJobId", "b"], "Start", &[("ApplicationId", S("-")), ("SynchronizationJobId", S("b"))]),
    // `--` ends the parameters.
    ok(SJ, &["-SynchronizationJobId", "b", "-ApplicationId", "--", "-x"], "Start", &[("ApplicationId", S("-x")), ("SynchronizationJobId", S("b"))]),
    ok(SJ, &["-ApplicationId", "a", "-SynchronizationJobId", "b", "--"], "Start", AB),
    ok(SJ, &["-ApplicationId", "ü日本🚀", "-SynchronizationJobId", "b"], "Start", &[("ApplicationId", S("ü日本🚀")), ("SynchronizationJobId", S("b"))]),
    // Optional parameters: empty and $null are fine.
    ok(SJ, &["-App", "a", "-Sync", "b", "-ResponseHeadersVariable", ""], "Start", &[("ApplicationId", S("a")), ("SynchronizationJobId", S("b")), ("ResponseHeadersVariable", S(""))]),
    ok(SJ, &["-App", "a", "-Sync", "b", "-RHV", "$null", "-Proxy", "$Null", "-Headers", "$NULL"], "Start", &[("ApplicationId", S("a")), ("SynchronizationJobId", S("b")), ("ResponseHeadersVariable", S("")), ("Proxy", J("null")), ("Headers", J("null"))]),
    // Typed values.
    // Every parameter binds once, as in PowerShell; several headers go in one
    // JSON object or hashtable literal.
    err(SJ, &["-App", "a", "-Sync", "b", "-Headers", "a=b", "-Headers", "C-D = e=f"], TWICE, "Cannot bind parameter because parameter 'Headers' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, \"-parameter value1,value2,value3\"."),
    ok(SJ, &["-App", "a", "-Sync", "b", "-Headers", "@{a='b'; 'C-D' = \"e=f\"\n x = y`z }"], "Start", &[("ApplicationId", S("a")), ("SynchronizationJobId", S("b")), ("Headers", J(r#"{"a":"b","C-D":"e=f","x":"y`z"}"#))]),
    ok(SJ, &["-App", "a", "-Sync", "b", "-Headers", "@{'it''s' = \"say \"\"hi\"\" `\"x`\"\"}"], "Start", &[("ApplicationId", S("a")), ("SynchronizationJobId", S("b")), ("Headers", J(r#"{"it's":"say \"hi\" \"x\""}"#))]),
    err(SJ, &["-Headers", "@{a='b'"], INVALID, "Cannot bind parameter 'Headers'. Cannot convert value \"@{a='b'\" to type \"System.Collections.IDictionary\". Error: \"Missing the closing '}' of the hash literal.\""),
    err(SJ, &["-Headers", "@{a}"], INVALID, "Cannot bind parameter 'Headers'. Cannot convert value \"@{a}\" to type \"System.Collections.IDictionary\". Error: \"Missing '=' operator after key in hash literal.\""),
    err(SJ, &["-Headers", "@{a=1;A=2}"], INVALID, "Cannot bind parameter 'Headers'. Cannot convert value \"@{a=1;A=2}\" to type \"System.Collections.IDictionary\". Error: \"Duplicate keys 'A' are not allowed in hash literals.\""),
    err(SJ, &["-Headers", "@{a='x} b"], INVALID, "Cannot bind parameter 'Headers'. Cannot convert value \"@{a='x} b\" to type \"System.Collections.IDictionary\". Error: \"Missing the closing ' of a string in the hash literal.\""),
    err(SJ, &["-Headers", "@{a=1} b"], INVALID, "Cannot bind parameter 'Headers'. Cannot convert value \"@{a=1} b\" to type \"System.Collections.IDictionary\". Error: \"Unexpected text after the closing '}' of the hash literal.\""),
    ok(SJ, &["-App", "a", "-Sync", "b", "-Headers", r#" {"x":"y","n":[1,2]}"#], "Start", &[("ApplicationId", S("a")), ("SynchronizationJobId", S("b")), ("Headers", J(r#"{"x":"y","n":[1,2]}"#))]),
    ok(SJ, &["-App", "a", "-Sync", "b", "-ProxyCredential", "CONTOSO\\u"], "Start", &[("ApplicationId", S("a")), ("SynchronizationJobId", S("b")), ("ProxyCredential", S("CONTOSO\\u"))]),
    ok(SJ, &["-App", "a", "-Sync", "b", "-HttpPipelineAppend", "x, y,z", "-HttpPipelinePrepend:w"], "Start", &[("ApplicationId", S("a")), ("SynchronizationJobId", S("b")), ("HttpPipelineAppend", L(&["x", "y", "z"])), ("HttpPipelinePrepend", L(&["w"]))]),
    err(SJ, &["-App", "a", "-Sync", "b", "-HttpPipelineAppend", "x, y", "-HttpPipelineAppend", "z"], TWICE, "Cannot bind parameter because parameter 'HttpPipelineAppend' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, \"-parameter value1,value2,value3\"."),
    ok(SJ, &["-InputObject", IDENTITY], "StartViaIdentity", &[("InputObject", J(IDENTITY))]),
    ok(SJ, &["-I", "{}", "-PassThru", "-Headers", "k=v"], "StartViaIdentity", &[("InputObject", J("{}")), ("PassThru", Sw(true)), ("Headers", L(&["k=v"]))]),
    // NamedParameterNotFound.
    err(SJ, &["-Foo"], NOT_FOUND, "A parameter cannot be found that matches parameter name 'Foo'."),
    err(SJ, &["-Foo:bar", "-App", "a"], NOT_FOUND, "A parameter cannot be found that matches parameter name 'Foo'."),
    err(SJ, &["--foo-bar=1"], NOT_FOUND, "A parameter cannot be found that matches parameter name 'foo-bar'."),
    err(SJ, &["-ApplicationId", "a", "-Debug", "x"], NOT_FOUND, "A parameter cannot be found that matches parameter name 'Debug'."),
    err(SJ, &["-ApplicationId=abc"], NOT_FOUND, "A parameter cannot be found that matches parameter name 'ApplicationId=abc'."),
    err(SJ, &["-ApplicationIdX", "a"], NOT_FOUND, "A parameter cannot be found that matches parameter name 'ApplicationIdX'."),
    err(SJ, &["-日本"], NOT_FOUND, "A parameter cannot be found that matches parameter name '日本'."),
    // AmbiguousParameter: names in declared order, with a leading dash.
    err(SJ, &["-P"], AMBIGUOUS, "Parameter cannot be processed because the parameter name 'P' is ambiguous. Possible matches include: -PassThru -Proxy -ProxyCredential -ProxyUseDefaultCredentials."),
    err(SJ, &["-pr", "x"], AMBIGUOUS, "Parameter cannot be processed because the parameter name 'pr' is ambiguous. Possible matches include: -Proxy -ProxyCredential -ProxyUseDefaultCredentials."),
    err(SJ, &["-H", "a=b"], AMBIGUOUS, "Parameter cannot be processed because the parameter name 'H' is ambiguous. Possible matches include: -Headers -HttpPipelineAppend -HttpPipelinePrepend."),
    err(SJ, &["--http-pipeline", "x"], AMBIGUOUS, "Parameter cannot be processed because the parameter name 'http-pipeline' is ambiguous. Possible matches include: -HttpPipelineAppend -HttpPipelinePrepend."),
    err(TH, &["-X", "v"], AMBIGUOUS, "Parameter cannot be processed because the parameter name 'X' is ambiguous. Possible matches include: -Alpha -Beta."),
    err(TH, &["-P"], AMBIGUOUS, "Parameter cannot be processed because the parameter name 'P' is ambiguous. Possible matches include: -Pqr -Zed."),
    // MissingArgument.
    err(SJ, &["-ApplicationId"], MISSING_ARG, MSG_APP_MISSING_ARG),
    err(SJ, &["-ApplicationId", "-SynchronizationJobId", "b"], MISSING_ARG, MSG_APP_MISSING_ARG),
    err(SJ, &["-ApplicationId", "--sync", "b"], MISSING_ARG, MSG_APP_MISSING_ARG),
    err(SJ, &["-ApplicationId", "--"], MISSING_ARG, MSG_APP_MISSING_ARG),
    err(SJ, &["-ApplicationId:"], MISSING_ARG, MSG_APP_MISSING_ARG),
    err(SJ, &["--object-id"], MISSING_ARG, MSG_APP_MISSING_ARG),
    err(SJ, &["-Headers"], MISSING_ARG, "Missing an argument for parameter 'Headers'. Specify a parameter of type 'System.Collections.IDictionary' and try again."),
    err(SJ, &["-InputObject", "-PassThru"], MISSING_ARG, "Missing an argument for parameter 'InputObject'. Specify a parameter of type 'Microsoft.Graph.Beta.PowerShell.Models.IApplicationsIdentity' and try again."),
    err(SJ, &["-PassThru:"], MISSING_ARG, "Missing an argument for parameter 'PassThru'. Specify a parameter of type 'System.Management.Automation.SwitchParameter' and try again."),
    err(SJ, &["-HttpPipelineAppend"], MISSING_ARG, "Missing an argument for parameter 'HttpPipelineAppend'. Specify a parameter of type 'Microsoft.Graph.Beta.PowerShell.Runtime.SendAsyncStep[]' and try again."),
    err(WG, &["-Top"], MISSING_ARG, "Missing an argument for parameter 'Top'. Specify a parameter of type 'System.Int32' and try again."),
    // Missing arguments are found before unknown names (PowerShell pairs
    // arguments first), unknown names before leftovers.
    err(SJ, &["-Foo", "-ApplicationId"], MISSING_ARG, MSG_APP_MISSING_ARG),
    err(SJ, &["x", "-Foo"], NOT_FOUND, "A parameter cannot be found that matches parameter name 'Foo'."),
    // Empty string and null for mandatory parameters.
    err(SJ, &["-ApplicationId", "", "-SynchronizationJobId", "b"], EMPTY, MSG_APP_EMPTY),
    err(SJ, &["-ApplicationId:", "", "-SynchronizationJobId", "b"], EMPTY, MSG_APP_EMPTY),
    err(SJ, &["-SynchronizationJobId", "b", "-ApplicationId", ""], EMPTY, MSG_APP_EMPTY),
    err(SJ, &["-ApplicationId", "$null"], NULL, "Cannot bind argument to parameter 'ApplicationId' because it is null."),
    err(SJ, &["-InputObject", "$NULL"], NULL, "Cannot bind argument to parameter 'InputObject' because it is null."),
    err(TH, &["-Roles", "a,,b", "-Alpha", "x"], EMPTY, "Cannot bind argument to parameter 'Roles' because it is an empty string."),
    // Missing mandatory parameters.
    err(SJ, &[], MISSING, MSG_MISSING_BOTH),
    err(SJ, &["-PassThru", "-Headers", "a=b"], MISSING, MSG_MISSING_BOTH),
    err(SJ, &["-ApplicationId", "a"], MISSING, MSG_MISSING_JOB),
    err(SJ, &["-ObjectId", "a", "-WhatIf"], MISSING, MSG_MISSING_JOB),
    err(SJ, &["-SynchronizationJobId", "b"], MISSING, "Cannot process command because of one or more missing mandatory parameters: ApplicationId."),
    err(TH, &["-Alpha", "x"], MISSING, "Cannot process command because of one or more missing mandatory parameters: Roles."),
    err(WG, &["-Name", "n"], MISSING, "Cannot process command because of one or more missing mandatory parameters: WidgetId."),
    // Parameter sets.
    err(SJ, &["-ApplicationId", "a", "-InputObject", "{}"], SET, MSG_SET),
    err(SJ, &["-InputObject", "{}", "-SynchronizationJobId", "b", "-ApplicationId", "a"], SET, MSG_SET),
    err(TH, &["-Roles", "r"], SET, MSG_SET),
    err(TH, &["-Roles", "r", "-Dee", "d"], SET, MSG_SET),
    err(TH, &["-Roles", "r", "-Alpha", "x", "-Beta", "y"], SET, MSG_SET),
    err(WG, &["-WidgetId", "w", "-Top", "1"], SET, MSG_SET),
    ok(TH, &["-Roles", "r", "-Xa", "x"], "A", &[("Roles", L(&["r"])), ("Alpha", S("x"))]),
    ok(TH, &["-Roles", "a,b,c", "-Xb", "y", "-Pq", "-Pqr", "p"], "B", &[("Roles", L(&["a", "b", "c"])), ("Beta", S("y")), ("Zed", Sw(true)), ("Pqr", S("p"))]),
    err(TH, &["-Roles", "a", "-Roles", "b,c"], TWICE, "Cannot bind parameter because parameter 'Roles' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, \"-parameter value1,value2,value3\"."),
    ok(WG, &[], "List", &[]),
    ok(WG, &["-Property", "a"], "List", &[("Property", L(&["a"]))]),
    ok(WG, &["-Query", "q"], "Search", &[("Query", S("q"))]),
    ok(WG, &["-WidgetId", "w", "-Name", "n"], "Get", &[("WidgetId", S("w")), ("Name", S("n"))]),
    ok(WG, &["-Top", "5", "-Skip", "-3", "-Enabled:$false"], "List", &[("Top", J("5")), ("Skip", J("-3")), ("Enabled", J("false"))]),
    ok(WG, &["-Limit", " +10 ", "-Skip", "3000000000", "-Enabled", "1", "-Select", "a,b,c"], "List", &[("Top", J("10")), ("Skip", J("3000000000")), ("Enabled", J("true")), ("Property", L(&["a", "b", "c"]))]),
    // An alias and its name are the same parameter.
    err(WG, &["-Select", "a,b", "-Property", "c"], TWICE, "Cannot bind parameter because parameter 'Property' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, \"-parameter value1,value2,value3\"."),
    ok(&BARE, &[], "__AllParameterSets", &[]),
    err(&BARE, &["-X"], NOT_FOUND, "A parameter cannot be found that matches parameter name 'X'."),
    // Positional arguments.
    err(SJ, &["x"], POSITIONAL, "A positional parameter cannot be found that accepts argument 'x'."),
    err(SJ, &["-ApplicationId", "a", "-SynchronizationJobId", "b", "extra"], POSITIONAL, "A positional parameter cannot be found that accepts argument 'extra'."),
    err(SJ, &["-PassThru", "$false"], POSITIONAL, "A positional parameter cannot be found that accepts argument '$false'."),
    err(SJ, &["--pass-thru", "false"], POSITIONAL, "A positional parameter cannot be found that accepts argument 'false'."),
    err(SJ, &[""], POSITIONAL, "A positional parameter cannot be found that accepts argument ''."),
    err(SJ, &["-:"], POSITIONAL, "A positional parameter cannot be found that accepts argument '-:'."),
    err(SJ, &[":"], POSITIONAL, "A positional parameter cannot be found that accepts argument ':'."),
    err(SJ, &["---"], POSITIONAL, "A positional parameter cannot be found that accepts argument '---'."),
    err(SJ, &["--", "-ApplicationId", "a"], POSITIONAL, "A positional parameter cannot be found that accepts argument '-ApplicationId'."),
    err(SJ, &["-ApplicationId", "a", "-InputObject", "{}", "x"], POSITIONAL, "A positional parameter cannot be found that accepts argument 'x'."),
    // ParameterAlreadyBound names the parameter as typed.
    err(SJ, &["-ApplicationId", "a", "-ApplicationId", "b"], TWICE, "Cannot bind parameter because parameter 'ApplicationId' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, \"-parameter value1,value2,value3\"."),
    err(SJ, &["-ApplicationId", "a", "-ObjectId", "b", "x"], TWICE, "Cannot bind parameter because parameter 'ObjectId' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, \"-parameter value1,value2,value3\"."),
    err(SJ, &["-PassThru", "--pass-thru"], TWICE, "Cannot bind parameter because parameter 'pass-thru' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, \"-parameter value1,value2,value3\"."),
    err(SJ, &["-Headers", "{\"a\":\"b\"}", "-Headers", "c=d"], TWICE, "Cannot bind parameter because parameter 'Headers' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, \"-parameter value1,value2,value3\"."),
    err(SJ, &["-Headers", "c=d", "-Headers", "{}"], TWICE, "Cannot bind parameter because parameter 'Headers' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, \"-parameter value1,value2,value3\"."),
    // InvalidArgument.
    err(SJ, &["-PassThru:maybe"], INVALID, "Cannot bind parameter 'PassThru'. Cannot convert value \"maybe\" to type \"System.Management.Automation.SwitchParameter\". Error: \"Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0.\""),
    err(SJ, &["-Proxy", "x"], INVALID, "Cannot bind parameter 'Proxy'. Cannot convert value \"x\" to type \"System.Uri\". Error: \"Invalid URI: The format of the URI could not be determined. An absolute URI such as http://host:8080 is expected.\""),
    err(SJ, &["-Proxy", "/relative/path"], INVALID, "Cannot bind parameter 'Proxy'. Cannot convert value \"/relative/path\" to type \"System.Uri\". Error: \"Invalid URI: The format of the URI could not be determined. An absolute URI such as http://host:8080 is expected.\""),
    err(SJ, &["-Proxy", "http://a b"], INVALID, "Cannot bind parameter 'Proxy'. Cannot convert value \"http://a b\" to type \"System.Uri\". Error: \"Invalid URI: The format of the URI could not be determined. An absolute URI such as http://host:8080 is expected.\""),
    err(SJ, &["-Proxy", ""], INVALID, "Cannot bind parameter 'Proxy'. Cannot convert value \"\" to type \"System.Uri\". Error: \"Invalid URI: The URI is empty.\""),
    err(SJ, &["-Headers", "abc"], INVALID, "Cannot bind parameter 'Headers'. Cannot convert value \"abc\" to type \"System.Collections.IDictionary\". Error: \"Expected Name=Value, a JSON object such as {\"Name\":\"Value\"}, or @{Name='Value'}.\""),
    err(SJ, &["-Headers", "=v"], INVALID, "Cannot bind parameter 'Headers'. Cannot convert value \"=v\" to type \"System.Collections.IDictionary\". Error: \"Expected Name=Value, a JSON object such as {\"Name\":\"Value\"}, or @{Name='Value'}.\""),
    err(SJ, &["-InputObject", "abc"], INVALID, "Cannot bind parameter 'InputObject'. Cannot convert value \"abc\" to type \"Microsoft.Graph.Beta.PowerShell.Models.IApplicationsIdentity\". Error: \"Expected a JSON object or pipeline input.\""),
    err(SJ, &["-InputObject", "{\"a\":1}x"], INVALID, "Cannot bind parameter 'InputObject'. Cannot convert value \"{\"a\":1}x\" to type \"Microsoft.Graph.Beta.PowerShell.Models.IApplicationsIdentity\". Error: \"Invalid JSON: trailing characters at line 1 column 8.\""),
    err(WG, &["-Top", "abc"], INVALID, "Cannot bind parameter 'Top'. Cannot convert value \"abc\" to type \"System.Int32\". Error: \"Input string was not in a correct format.\""),
    err(WG, &["-Top", "1.5"], INVALID, "Cannot bind parameter 'Top'. Cannot convert value \"1.5\" to type \"System.Int32\". Error: \"Input string was not in a correct format.\""),
    err(WG, &["-Top", ""], INVALID, "Cannot bind parameter 'Top'. Cannot convert value \"\" to type \"System.Int32\". Error: \"Input string was not in a correct format.\""),
    err(WG, &["-Top", "3000000000"], INVALID, "Cannot bind parameter 'Top'. Cannot convert value \"3000000000\" to type \"System.Int32\". Error: \"Value was either too large or too small for an Int32.\""),
    err(WG, &["-Skip", "99999999999999999999"], INVALID, "Cannot bind parameter 'Skip'. Cannot convert value \"99999999999999999999\" to type \"System.Int64\". Error: \"Value was either too large or too small for an Int64.\""),
    err(WG, &["-Enabled", "yes"], INVALID, "Cannot bind parameter 'Enabled'. Cannot convert value \"yes\" to type \"System.Boolean\". Error: \"Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0.\""),
    // Binding errors in token order come before leftovers and sets.
    err(SJ, &["-ApplicationId", "a", "-ApplicationId", "b", "x"], TWICE, "Cannot bind parameter because parameter 'ApplicationId' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, \"-parameter value1,value2,value3\"."),
    err(SJ, &["-Proxy", "x", "-Foo"], INVALID, "Cannot bind parameter 'Proxy'. Cannot convert value \"x\" to type \"System.Uri\". Error: \"Invalid URI: The format of the URI could not be determined. An absolute URI such as http://host:8080 is expected.\""),
    // Pipeline input.
    piped(SJ, &[], IDENTITY, Expect::Ok { set: "StartViaIdentity", values: &[("InputObject", J(IDENTITY))], pipe: Some("InputObject") }),
    piped(SJ, &["-PassThru", "-Headers", "k=v"], IDENTITY, Expect::Ok { set: "StartViaIdentity", values: &[("InputObject", J(IDENTITY)), ("PassThru", Sw(true)), ("Headers", L(&["k=v"]))], pipe: Some("InputObject") }),
    piped(SJ, &["-ApplicationId", "a", "-SynchronizationJobId", "b"], r#"{"x-a":"1"}"#, Expect::Ok { set: "Start", values: &[("ApplicationId", S("a")), ("SynchronizationJobId", S("b")), ("Headers", J(r#"{"x-a":"1"}"#))], pipe: Some("Headers") }),
    piped(SJ, &["-InputObject", "{}"], r#"{"h":"v"}"#, Expect::Ok { set: "StartViaIdentity", values: &[("InputObject", J("{}")), ("Headers", J(r#"{"h":"v"}"#))], pipe: Some("Headers") }),
    piped(SJ, &["-ApplicationId", "a", "-SynchronizationJobId", "b"], "null", Expect::Ok { set: "Start", values: &[("ApplicationId", S("a")), ("SynchronizationJobId", S("b")), ("Headers", J("null"))], pipe: Some("Headers") }),
    piped(SJ, &["-ApplicationId", "a"], IDENTITY, E(MISSING, MSG_MISSING_JOB)),
    piped(SJ, &["-ApplicationId", "a", "-SynchronizationJobId", "b", "-Headers", "k=v"], IDENTITY, E(NOT_BOUND, MSG_NOT_BOUND)),
    piped(SJ, &["-InputObject", "{}", "-Headers", "k=v"], IDENTITY, E(NOT_BOUND, MSG_NOT_BOUND)),
    piped(SJ, &[], "\"abc\"", E(NOT_BOUND, MSG_NOT_BOUND)),
    piped(SJ, &[], "5", E(NOT_BOUND, MSG_NOT_BOUND)),
    piped(SJ, &[], "[1,2]", E(NOT_BOUND, MSG_NOT_BOUND)),
    piped(SJ, &[], "null", E(NULL, "Cannot bind argument to parameter 'InputObject' because it is null.")),
    piped(SJ, &["x"], IDENTITY, E(POSITIONAL, "A positional parameter cannot be found that accepts argument 'x'.")),
    piped(SJ, &["-ApplicationId", "a", "-InputObject", "{}"], IDENTITY, E(SET, MSG_SET)),
    piped(WG, &[], "\"abc\"", E(MISSING, "Cannot process command because of one or more missing mandatory parameters: WidgetId.")),
    piped(WG, &["-WidgetId", "w"], "\"abc\"", Expect::Ok { set: "Get", values: &[("WidgetId", S("w")), ("Name", S("abc"))], pipe: Some("Name") }),
    piped(WG, &["-WidgetId", "w"], "42", Expect::Ok { set: "Get", values: &[("WidgetId", S("w")), ("Name", S("42"))], pipe: Some("Name") }),
    piped(WG, &[], "{\"WidgetId\":\"w\"}", Expect::Ok { set: "GetViaIdentity", values: &[("InputObject", J("{\"WidgetId\":\"w\"}"))], pipe: Some("InputObject") }),
    piped(WG, &["-WidgetId", "w"], "{}", E(NOT_BOUND, MSG_NOT_BOUND)),
    piped(WG, &["-Top", "5"], "\"abc\"", E(NOT_BOUND, MSG_NOT_BOUND)),
    piped(WG, &["-WidgetId", "w"], "\"\"", Expect::Ok { set: "Get", values: &[("WidgetId", S("w")), ("Name", S(""))], pipe: Some("Name") }),
    piped(TH, &["-Roles", "r", "-Alpha", "a"], "{}", E(NOT_BOUND, MSG_NOT_BOUND)),
];

fn check_value(name: &str, got: Option<&Value>, want: &Ev) -> Result<(), String> {
    let good = match (got, want) {
        (Some(Value::String(g)), S(w)) => g == w,
        (Some(Value::Switch(g)), Sw(w)) => g == w,
        (Some(Value::List(g)), L(w)) => g.iter().map(String::as_str).eq(w.iter().copied()),
        (Some(Value::Json(g)), J(w)) => {
            serde_json::from_str::<serde_json::Value>(w).is_ok_and(|w| *g == w)
        }
        _ => false,
    };
    if good {
        Ok(())
    } else {
        Err(format!("{name}: got {got:?}, want {want:?}"))
    }
}

fn run_case(case: &Case) -> Result<(), String> {
    let pipe = case
        .pipe
        .map(|p| serde_json::from_str(p).map_err(|e| format!("bad pipe JSON in test: {e}")))
        .transpose()?;
    let got = bind(case.meta, case.args, pipe);
    match (&case.expect, got) {
        (Expect::Ok { set, values, pipe }, Ok(bound)) => {
            if bound.set != *set {
                return Err(format!("set {} instead of {set}", bound.set));
            }
            for (name, want) in *values {
                check_value(name, bound.get(name), want)?;
            }
            let mut names: Vec<&str> = bound.names().collect();
            let mut wanted: Vec<&str> = values.iter().map(|(n, _)| *n).collect();
            names.sort_unstable();
            wanted.sort_unstable();
            if names != wanted {
                return Err(format!("bound {names:?}, want {wanted:?}"));
            }
            if bound.pipeline_parameter() != *pipe {
                return Err(format!(
                    "pipeline went to {:?}, want {pipe:?}",
                    bound.pipeline_parameter()
                ));
            }
            Ok(())
        }
        (Expect::Err(id, msg), Err(e)) => {
            if e.id != *id || e.message != *msg {
                return Err(format!(
                    "error {:?} {:?}\n      want {id:?} {msg:?}",
                    e.id, e.message
                ));
            }
            Ok(())
        }
        (want, got) => Err(format!("got {got:?}\n      want {want:?}")),
    }
}

#[test]
fn binder_table() {
    let failures: Vec<String> = CASES
        .iter()
        .enumerate()
        .filter_map(|(i, case)| {
            run_case(case).err().map(|why| {
                format!(
                    "case {i} {} {:?} pipe={:?}: {why}",
                    case.meta.name, case.args, case.pipe
                )
            })
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------
// API details

#[test]
fn binder_accepts_owned_and_borrowed_tokens() {
    let owned: Vec<String> = ["-App", "a", "-Sync", "b"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let a = bind(&START_JOB, &owned, None).unwrap();
    let b = bind(&START_JOB, &["-App", "a", "-Sync", "b"], None).unwrap();
    assert_eq!(a, b);
}

#[test]
fn binder_bound_accessors() {
    let args = [
        "-App",
        "a",
        "-Sync",
        "b",
        "-PassThru",
        "-Headers",
        "@{k = 'v'; x = 'y=z'}",
    ];
    // A pipeline object with -ApplicationId given would go to Headers, which
    // is already bound by name here, so nothing takes it.
    let refused = bind(&START_JOB, &args, Some(serde_json::json!(null))).unwrap_err();
    assert_eq!(refused.id, BindErrorId::InputObjectNotBound);

    let mut b = bind(&START_JOB, &args, None).unwrap();
    assert_eq!(b.set, "Start");
    assert_eq!(b.string("ApplicationId"), Some("a"));
    assert_eq!(b.string("applicationid"), Some("a"));
    assert!(b.switch("PassThru"));
    assert!(!b.switch("WhatIf"));
    assert!(!b.is_bound("WhatIf"));
    assert!(b.is_bound("Headers"));
    assert!(!b.from_pipeline("Headers"));
    assert!(b.json("Headers").is_some_and(serde_json::Value::is_object));
    assert_eq!(
        b.get("Headers").and_then(Value::dictionary_pairs),
        Some(vec![
            ("k".to_string(), "v".to_string()),
            ("x".to_string(), "y=z".to_string())
        ])
    );
    assert_eq!(b.len(), 4);
    assert_eq!(b.take("ApplicationId"), Some(Value::String("a".into())));
    assert!(!b.is_bound("ApplicationId"));
    assert_eq!(b.take("ApplicationId"), None);
    assert!(!b.is_empty());

    let p = bind(
        &START_JOB,
        &[] as &[&str],
        Some(serde_json::json!({"ApplicationId": "a"})),
    )
    .unwrap();
    assert!(p.from_pipeline("InputObject"));
    assert!(p.from_pipeline("inputobject"));
    assert_eq!(
        p.json("InputObject"),
        Some(&serde_json::json!({"ApplicationId": "a"}))
    );

    let w = bind(&WIDGET, &["-Top", "7", "-Enabled:$true"], None).unwrap();
    assert_eq!(w.int("Top"), Some(7));
    assert_eq!(w.boolean("Enabled"), Some(true));
    assert_eq!(w.int("Skip"), None);

    let mut manual = Bound::new("Start");
    assert!(manual.is_empty());
    manual.insert("ApplicationId", Value::String("z".into()));
    assert_eq!(manual.string("ApplicationId"), Some("z"));
}

#[test]
fn binder_value_helpers() {
    let v = Value::Json(serde_json::json!({"a": "1", "b": [2, "3"], "c": null, "d": true}));
    assert_eq!(
        v.dictionary_pairs().unwrap(),
        vec![
            ("a".to_string(), "1".to_string()),
            ("b".to_string(), "2".to_string()),
            ("b".to_string(), "3".to_string()),
            ("d".to_string(), "true".to_string()),
        ]
    );
    assert_eq!(
        Value::Json(serde_json::Value::Null).dictionary_pairs(),
        Some(vec![])
    );
    assert_eq!(Value::String("x".into()).dictionary_pairs(), None);
    assert_eq!(
        Value::List(vec!["a".into()]).to_json(),
        serde_json::json!(["a"])
    );
    assert_eq!(Value::Switch(true).to_json(), serde_json::json!(true));
    assert_eq!(Value::String("s".into()).as_str(), Some("s"));
    assert_eq!(Value::Switch(true).as_str(), None);
}

#[test]
fn binder_errors_and_types_describe_themselves() {
    let e: BindError = bind(&START_JOB, &["-Foo"], None).unwrap_err();
    assert_eq!(e.to_string(), e.message);
    assert_eq!(e.id.as_str(), "NamedParameterNotFound");
    assert_eq!(e.id.to_string(), "NamedParameterNotFound");
    assert_eq!(e.category(), "InvalidArgument");
    let boxed: Box<dyn std::error::Error> = Box::new(e);
    assert!(boxed.to_string().starts_with("A parameter cannot be found"));

    let ids = [
        (
            BindErrorId::NamedParameterNotFound,
            "NamedParameterNotFound",
        ),
        (BindErrorId::AmbiguousParameter, "AmbiguousParameter"),
        (BindErrorId::MissingArgument, "MissingArgument"),
        (
            EMPTY,
            "ParameterArgumentValidationErrorEmptyStringNotAllowed",
        ),
        (NULL, "ParameterArgumentValidationErrorNullNotAllowed"),
        (
            BindErrorId::MissingMandatoryParameter,
            "MissingMandatoryParameter",
        ),
        (BindErrorId::AmbiguousParameterSet, "AmbiguousParameterSet"),
        (
            BindErrorId::PositionalParameterNotFound,
            "PositionalParameterNotFound",
        ),
        (BindErrorId::InputObjectNotBound, "InputObjectNotBound"),
        (BindErrorId::ParameterAlreadyBound, "ParameterAlreadyBound"),
        (BindErrorId::InvalidArgument, "InvalidArgument"),
    ];
    for (id, text) in ids {
        assert_eq!(id.as_str(), text);
    }

    let types = [
        (ParamType::String, "System.String"),
        (
            ParamType::Switch,
            "System.Management.Automation.SwitchParameter",
        ),
        (ParamType::Uri, "System.Uri"),
        (ParamType::Dictionary, "System.Collections.IDictionary"),
        (ParamType::Identity, "System.Object"),
        (
            ParamType::Credential,
            "System.Management.Automation.PSCredential",
        ),
        (
            ParamType::PipelineSteps,
            "Microsoft.Graph.Beta.PowerShell.Runtime.SendAsyncStep[]",
        ),
        (ParamType::Int32, "System.Int32"),
        (ParamType::Int64, "System.Int64"),
        (ParamType::Boolean, "System.Boolean"),
        (ParamType::StringArray, "System.String[]"),
    ];
    for (ty, name) in types {
        assert_eq!(ty.type_name(), name);
    }
    let input = START_JOB.param("inputobject").unwrap();
    assert_eq!(
        input.display_type(),
        "Microsoft.Graph.Beta.PowerShell.Models.IApplicationsIdentity"
    );
    assert!(input.is_mandatory_in(1, "StartViaIdentity"));
    assert!(!input.is_mandatory_in(0, "Start"));
    assert!(input.is_from_pipeline_in(1, "StartViaIdentity"));
    assert_eq!(WIDGET.param("Top").unwrap().display_type(), "System.Int32");
    assert_eq!(
        START_JOB.find_param("Sync").unwrap().map(|p| p.name),
        Some("SynchronizationJobId")
    );
    assert_eq!(START_JOB.find_param("Nope").unwrap(), None);
    assert_eq!(
        START_JOB.find_param("P").unwrap_err().id,
        BindErrorId::AmbiguousParameter
    );
}

// ---------------------------------------------------------------------------
// Robustness

/// xorshift64*: a small deterministic generator, enough to shake the binder.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "-",
    "--",
    ":",
    "=",
    ",",
    "$null",
    "$true",
    "$false",
    "-ApplicationId",
    "-App",
    "-a",
    "-P",
    "-Pr",
    "-Proxy",
    "-PassThru",
    "-PassThru:",
    "--pass-thru",
    "--app=",
    "-InputObject",
    "-Headers",
    "a=b",
    "{",
    "}",
    "{\"a\":1}",
    "[",
    "\"",
    "",
    " ",
    "-5",
    "-.",
    ".5",
    "ü",
    "日本",
    "🚀",
    "\u{2013}",
    "\u{2014}",
    "\u{0}",
    "\u{10FFFF}",
    "\u{301}",
    "http://x",
    "x",
    "-ObjectId",
    "-wi",
    "-cf",
    "-RHV",
    "-Top",
    "-Skip",
    "-Enabled",
    "-Select",
    "-Roles",
    "-X",
    "-Xa",
    "-Pq",
    "99999999999999999999",
    "-S",
    "-Sync",
    "-h",
];

fn random_token(rng: &mut Rng) -> String {
    match rng.below(10) {
        0 => {
            // Random code points, including surrogate-adjacent and combining ones.
            let len = rng.below(6);
            (0..len)
                .filter_map(|_| char::from_u32(rng.next() as u32 % 0x11_0000))
                .collect()
        }
        1 => String::from_utf8_lossy(&rng.next().to_le_bytes()).into_owned(),
        _ => {
            let n = 1 + rng.below(3);
            (0..n).map(|_| PIECES[rng.below(PIECES.len())]).collect()
        }
    }
}

fn random_pipeline(rng: &mut Rng) -> Option<serde_json::Value> {
    match rng.below(8) {
        0 => Some(serde_json::Value::Null),
        1 => Some(serde_json::json!("abc")),
        2 => Some(serde_json::json!({"ApplicationId": "a"})),
        3 => Some(serde_json::json!(5)),
        4 => Some(serde_json::json!(["a", 1, true])),
        5 => Some(serde_json::json!(false)),
        _ => None,
    }
}

#[test]
fn binder_random_tokens_never_panic() {
    let metas: [&'static CmdletMeta; 4] = [&START_JOB, &WIDGET, &THING, &BARE];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut outcomes = [0usize; 2];
    for _ in 0..30_000 {
        let len = rng.below(8);
        let args: Vec<String> = (0..len).map(|_| random_token(&mut rng)).collect();
        let meta = metas[rng.below(metas.len())];
        let pipeline = random_pipeline(&mut rng);
        match bind(meta, &args, pipeline) {
            Ok(b) => {
                outcomes[0] += 1;
                assert!(
                    meta.sets.is_empty() || meta.sets.contains(&b.set),
                    "{args:?}"
                );
            }
            Err(e) => {
                outcomes[1] += 1;
                assert!(!e.message.is_empty(), "{args:?}");
            }
        }
    }
    // Both outcomes must occur, or the generator is not exercising much.
    assert!(outcomes[0] > 0 && outcomes[1] > 0, "{outcomes:?}");
}

#[test]
fn binder_huge_and_degenerate_tokens() {
    let huge = "-".repeat(1 << 20);
    let huge_name = format!("-{}", "A".repeat(1 << 20));
    let huge_value = "x".repeat(1 << 20);
    let cases: Vec<Vec<String>> = vec![
        vec![huge.clone()],
        vec![huge_name.clone()],
        vec![
            "-ApplicationId".into(),
            huge_value.clone(),
            "-Sync".into(),
            huge.clone(),
        ],
        vec!["--".into(), "--".into()],
        vec!["-".into(), ":".into(), "=".into(), "".into()],
        vec!["--=".into()],
        vec!["-\u{2013}".into()],
        vec!["\u{2013}".into()],
        vec!["-:x".into()],
        vec!["--a-p-p=x".into()],
    ];
    for args in cases {
        let _ = bind(&START_JOB, &args, None);
        let _ = bind(&THING, &args, Some(serde_json::json!({})));
    }
    let b = bind(
        &START_JOB,
        &[
            "-ApplicationId".to_string(),
            huge_value.clone(),
            "-Sync".into(),
            "b".into(),
        ],
        None,
    )
    .unwrap();
    assert_eq!(b.string("ApplicationId").map(str::len), Some(1 << 20));
}
