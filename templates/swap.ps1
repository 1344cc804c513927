# skusunset {{ version | comment }}: step B (reassign licenses) for {{ customer_name | comment }}
# Written from the exports as of {{ as_of | comment }}. Review {{ csv_file | comment }} (one row per user and
# retiring license) before you run this script; remove a row to leave that user alone.
#
#   {{ reassign }} user(s) to reassign: ONE assignLicense call per user adds the new plan and removes
#       the retiring license together (no gap in service); service plans the user had disabled stay
#       disabled by family (FLOW_O365_P2 -> FLOW_O365_P3).
#   {{ remove_only }} user(s) remove-only: a license they already hold covers the retiring one.
#   Users whose sign-in is blocked (review-blocked) are never changed by this script.
# Nothing is removed without a checked replacement: the user must hold, enabled, a license that
# covers the retiring one (the covering license; the new plan, added in the same call or already
# held, its missing families enabled in that call). Otherwise the row is not run, and says why.
#
# How to run it:
#   1. .\{{ script_file | comment }}
#      A dry run: checks every user, builds every request, changes no license. It writes
#      results/{{ result_prefix | comment }}-dryrun-<time>.csv (one row per input row, with the exact request) and
#      results/{{ plan_prefix | comment }}-dryrun-<time>.json (each user's licenses before, and the request): the record.
#   2. Read the result and fix what it reports (usage location, free licenses, covers).
#   3. .\{{ script_file | comment }} -Apply
#      Makes the changes (-WhatIf and -Confirm work as usual) and writes the -apply- files; each
#      changed user is read back, and the row says what Graph then holds. Runs never overwrite
#      each other's files. Wait a few minutes before a rerun: Graph shows changes with a delay.
#
# Needs PowerShell 7 or Windows PowerShell 5.1, the Microsoft Graph PowerShell SDK 2.4 or newer
# (Install-Module Microsoft.Graph.Authentication -Scope CurrentUser) and the delegated scopes
# LicenseAssignment.ReadWrite.All, Organization.Read.All and User.Read.All (read-only) in the
# customer's tenant; whether a GDAP License Administrator role grants all three is for a test
# tenant to show. Consent asked at the first sign-in is itself a change to the tenant. The script
# signs out when it ends.
{%- if tenant_id %}
# Tenant: {{ tenant_id | comment }}. The script refuses to run in any other tenant.
{%- else %}
# The exports gave no tenant id for this customer: pass -TenantId; the script then checks that
# the tenant has the customer's domain{% if customer_domain %} ({{ customer_domain | comment }}){% endif %}.
{%- endif %}
#
# Before step C (suspending the old subscription), verify that no user holds any more:
{%- for name in retiring %}
#   {{ name | comment }}
{%- endfor %}
{%- for c in changes %}
#
# {{ c.from | comment }} -> {{ c.to | comment }}:
{%- if not c.known %}
#   the service plans of {{ c.unknown_products | join(" and ") | comment }} are not in the SKU table: compare the workloads by hand.
{%- elif c.lost_plans %}
#   the new plan has no service plan named like these of the old one: {{ c.lost_plans | join(", ") | comment }}.
{%- else %}
#   the new plan has a service plan named like each of the old one's.
{%- endif %}
{%- if c.loses_desktop_apps %}
#   WARNING: the new plan has no desktop Office apps (Microsoft 365 Apps); users keep the web apps only.
{%- endif %}
{%- if c.loses_mailbox %}
#   WARNING: the new plan has no Exchange Online mailbox. A user's mailbox data is deleted 30 days
#   after the license that holds it is removed: export or migrate those mailboxes first.
{%- endif %}
{%- endfor %}
{%- if blocked %}
#
# Sign-in blocked (review-blocked), listed only, never changed here: reclaim these licenses by hand.
{%- for b in blocked %}
#   {{ b.upn | comment }} ({{ b.display_name | comment }}): {{ b.license | comment }}
{%- endfor %}
{%- endif %}

#Requires -Version 5.1
#Requires -Modules @{ ModuleName = 'Microsoft.Graph.Authentication'; ModuleVersion = '2.4.0' }
[CmdletBinding(SupportsShouldProcess)]
param(
    # Make the changes. Without it the script only reports what it would do.
    [switch] $Apply,
{%- if not tenant_id %}
    # The customer's tenant id (the exports had none).
    [Parameter(Mandatory)] [ValidatePattern('^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$')] [string] $TenantId,
{%- endif %}
    # The users to move (default: the CSV beside this script).
    [string] $InputCsv = (Join-Path $PSScriptRoot {{ csv_file }}),
    # One result row per input row (default: a new file per run in results/ beside this script).
    [string] $ResultCsv = '',
    # Each user's licenses before and the exact request (default: a new file per run in results/).
    [string] $PlanJson = ''
)

Set-StrictMode -Version 1.0
$ErrorActionPreference = 'Stop'

$CustomerName = {{ customer_name }}
$ExpectedDomain = {{ customer_domain }}
{%- if tenant_id %}
$TenantId = {{ tenant_id }}
$TenantFromExport = $true
{%- else %}
$TenantFromExport = $false
{%- endif %}
$RetiringLicenses = {{ retiring }}
$Warnings = @(
{%- for c in changes if c.loses_mailbox %}
    ({{ c.from }} + ' -> ' + {{ c.to }} + ': the new plan has no Exchange Online mailbox; mailbox data is deleted 30 days after the old license is removed.'),
{%- endfor %}
{%- for c in changes if c.loses_desktop_apps %}
    ({{ c.from }} + ' -> ' + {{ c.to }} + ': the new plan has no desktop Office apps.'),
{%- endfor %}
    $null
) | Where-Object { $_ }
# Service plan name -> family (the name without its level), decided by skusunset; a name that is
# not here is its own family.
$PlanFamily = @{
{%- for p in plan_families %}
    {{ p[0] }} = {{ p[1] }}
{%- endfor %}
}
$Columns = @('UserPrincipalName', 'Action', 'RemoveSkuId', 'RemoveSkuPartNumber', 'AddSkuId', 'AddSkuPartNumber', 'CoverSkuId', 'CoverSkuPartNumber', 'KeepMode', 'KeepFamilies')
$ResultColumns = @('UserPrincipalName', 'Class', 'Action', 'Status', 'ErrorCode', 'Message', 'Request', 'HoldsAfter', 'Timestamp')
$Invariant = [System.Globalization.CultureInfo]::InvariantCulture
if ($Apply) { $Mode = 'apply' } else { $Mode = 'dryrun' }
$Stamp = (Get-Date).ToUniversalTime().ToString('yyyyMMdd-HHmmss', $Invariant)
# Results go to results/ beside this script, where no input list can be (every input is a
# file directly beside it), so no run overwrites another customer's list.
$ResultsDir = Join-Path $PSScriptRoot 'results'
if (-not ($ResultCsv -and $PlanJson)) { New-Item -ItemType Directory -Force -Path $ResultsDir -WhatIf:$false -Confirm:$false | Out-Null }
if (-not $ResultCsv) { $ResultCsv = Join-Path $ResultsDir ({{ result_prefix }} + '-' + $Mode + '-' + $Stamp + '.csv') }
if (-not $PlanJson) { $PlanJson = Join-Path $ResultsDir ({{ plan_prefix }} + '-' + $Mode + '-' + $Stamp + '.json') }

{% include "swap-functions.ps1" %}
Write-Host ('skusunset step B for ' + $CustomerName + ' - ' + $(if ($Apply) { 'APPLY: licenses will be changed' } else { 'dry run: no license is changed (run with -Apply to make the changes)' }))
foreach ($warning in $Warnings) { Write-Warning $warning }

if (-not (Test-Path -LiteralPath $InputCsv -PathType Leaf)) { throw ('Input CSV not found: ' + $InputCsv) }
$Rows = @(Import-Csv -LiteralPath $InputCsv -Encoding UTF8)
if ($Rows.Count -gt 0) {
    $present = @($Rows[0].PSObject.Properties | ForEach-Object { $_.Name })
    foreach ($column in $Columns) {
        if ($present -notcontains $column) {
            throw ($InputCsv + ' has no column ' + $column + '; expected: ' + ($Columns -join ', ') + '. Was it written by an older skusunset? Run the report again.')
        }
    }
}
# The record must be writable before anything changes (a file open in Excel is locked).
Set-Content -LiteralPath $ResultCsv -Value ('"' + ($ResultColumns -join '","') + '"') -Encoding UTF8 -WhatIf:$false -Confirm:$false

$Plans = New-Object System.Collections.Generic.List[object]
$Connected = $false
$TenantSkus = @()
$Subscriptions = @()
try {
    Connect-MgGraph -TenantId $TenantId -Scopes 'LicenseAssignment.ReadWrite.All', 'Organization.Read.All', 'User.Read.All' -NoWelcome
    $Connected = $true
    $context = Get-MgContext
    if ($null -eq $context -or [string]$context.TenantId -ne $TenantId) {
        throw ('Signed in to another tenant, but this script is for ' + $CustomerName + ' (tenant ' + $TenantId + '). Nothing was changed.')
    }
    if ($ExpectedDomain) {
        $organization = @((Invoke-Graph 'GET' 'v1.0/organization?$select=id,verifiedDomains').value)
        $domains = @($organization | ForEach-Object { @($_.verifiedDomains) } | ForEach-Object { [string]$_.name })
        if ($domains -notcontains $ExpectedDomain) {
            $message = 'Tenant ' + $TenantId + ' has no verified domain ' + $ExpectedDomain + ', the domain of ' + $CustomerName + ' in the exports.'
            if (-not $TenantFromExport) { throw ($message + ' Nothing was changed.') }
            Write-Warning $message
        }
    }
    $TenantSkus = @((Invoke-Graph 'GET' 'v1.0/subscribedSkus').value)
    # Paid units per SKU: enabled subscriptions that are not trials.
    $Paid = @{}
    $TrialsKnown = $true
    try {
        $Subscriptions = @((Invoke-Graph 'GET' 'v1.0/directory/subscriptions').value)
        foreach ($subscription in $Subscriptions) {
            if (-not $subscription) { continue }
            $id = [string]$subscription.skuId
            if (-not $Paid.ContainsKey($id)) { $Paid[$id] = 0 }
            if (-not $subscription.isTrial -and [string]$subscription.status -eq 'Enabled') { $Paid[$id] += [int]$subscription.totalLicenses }
        }
    } catch {
        $TrialsKnown = $false
        Write-Warning ('The tenant''s subscriptions could not be read (' + (Get-GraphError $_).Code + '), so trial licenses cannot be told apart: check that the new plans are not trials.')
    }

    # 1. Decide, per row, reading only.
    foreach ($row in $Rows) {
        $plan = [pscustomobject]@{ Row = $row; UserId = ''; Operation = 'none'; Status = 'planned'; ErrorCode = ''; Message = ''; Add = $null; Remove = $null; Before = $null; Request = ''; HoldsAfter = ''; GraphError = ''; Written = $false }
        $Plans.Add($plan)
        try {
            Resolve-Row $plan
        } catch {
            $failure = Get-GraphError $_
            Set-Outcome $plan 'failed' $failure.Code $failure.Message
            $plan.GraphError = $failure.Raw
        }
    }

    # 2. Pre-flight: every new SKU enabled and paid for, with a free license for every user it
    # goes to (free = enabled - consumed - warning, trials left out).
    $Needed = @{}
    foreach ($plan in $Plans) {
        if ($plan.Status -eq 'planned' -and $plan.Operation -eq 'swap') {
            $skuId = $plan.Add.skuId
            if (-not $Needed.ContainsKey($skuId)) { $Needed[$skuId] = @{} }
            $Needed[$skuId][$plan.UserId] = $true
        }
    }
    $Shortfalls = @()
    foreach ($skuId in @($Needed.Keys)) {
        $sku = Find-TenantSku $skuId ''
        $count = $Needed[$skuId].Count
        $free = [int]$sku.prepaidUnits.enabled - [int]$sku.consumedUnits - [int]$sku.prepaidUnits.warning
        if ([string]$sku.capabilityStatus -ne 'Enabled') {
            $Shortfalls += ($sku.skuPartNumber + ' is ' + $sku.capabilityStatus + ' in this tenant, not Enabled.')
        } elseif ($TrialsKnown -and -not ($Paid.ContainsKey($skuId) -and $Paid[$skuId] -gt 0)) {
            $Shortfalls += ($sku.skuPartNumber + ' is only a trial in this tenant: users moved onto it lose it when the trial ends. Buy it (step A).')
        } else {
            if ($TrialsKnown) { $free = [math]::Min($free, $Paid[$skuId] - [int]$sku.consumedUnits) }
            if ($free -lt $count) {
                $Shortfalls += ($sku.skuPartNumber + ': ' + $count + ' user(s) to move, ' + $free + ' free paid license(s): buy ' + ($count - $free) + ' more (step A).')
            }
        }
    }
    if ($Shortfalls.Count -gt 0) {
        foreach ($plan in $Plans) {
            if ($plan.Status -eq 'planned' -and $plan.Operation -ne 'none') {
                Set-Outcome $plan 'not-run' 'pre-flight' ($Shortfalls -join ' ')
            }
        }
        foreach ($line in $Shortfalls) { Write-Warning $line }
    }
    foreach ($plan in $Plans) { if ($plan.Status -ne 'planned') { Write-Result $plan } }

    # 3. One assignLicense call per user (adds and removes together), only with -Apply; the
    # request is built in the dry run too.
    $ByUser = [ordered]@{}
    foreach ($plan in $Plans) {
        if ($plan.Status -ne 'planned' -or $plan.Operation -eq 'none') { continue }
        if (-not $ByUser.Contains($plan.UserId)) { $ByUser[$plan.UserId] = New-Object System.Collections.Generic.List[object] }
        $ByUser[$plan.UserId].Add($plan)
    }
    foreach ($userId in @($ByUser.Keys)) {
        $userPlans = $ByUser[$userId]
        $add = @()
        $remove = @()
        foreach ($plan in $userPlans) {
            if ($plan.Add -and @($add | Where-Object { $_.skuId -eq $plan.Add.skuId }).Count -eq 0) { $add += $plan.Add }
            if ($remove -notcontains $plan.Remove) { $remove += $plan.Remove }
        }
        $request = ConvertTo-Json -InputObject @{ addLicenses = @($add); removeLicenses = @($remove) } -Depth 6 -Compress
        $upn = [string]$userPlans[0].Row.UserPrincipalName
        $names = @($add | ForEach-Object { (Find-TenantSku $_.skuId '').skuPartNumber })
        $gone = @($remove | ForEach-Object { (Find-TenantSku $_ '').skuPartNumber })
        $what = 'assignLicense: add ' + ($names -join ', ') + '; remove ' + ($gone -join ', ')
        foreach ($plan in $userPlans) { $plan.Request = $request }
        if ($PSCmdlet.ShouldProcess($upn, $what)) {
            if ($Apply) {
                $failure = $null
                try {
                    Invoke-Graph 'POST' ('v1.0/users/' + $userId + '/assignLicense') $request | Out-Null
                } catch {
                    $failure = Get-GraphError $_
                }
                $after = $null
                try { $after = Get-User $upn -Fresh } catch { }
                $holds = Format-Holdings $after
                $done = $after -and @($remove | Where-Object { Get-Assignment $after @{ skuId = $_ } }).Count -eq 0 -and @($add | Where-Object { -not (Get-Assignment $after @{ skuId = $_.skuId }) }).Count -eq 0
                foreach ($plan in $userPlans) {
                    $plan.HoldsAfter = $holds
                    if ($failure) {
                        Set-Outcome $plan 'failed' $failure.Code $failure.Message
                        $plan.GraphError = $failure.Raw
                    } elseif ($done) {
                        Set-Outcome $plan 'done' '' $what
                    } else {
                        Set-Outcome $plan 'check' 'not-seen-yet' ('Graph accepted ' + $what + ', but the user read back holds ' + $holds + ': look again in a few minutes.')
                    }
                    Write-Result $plan
                }
            } else {
                foreach ($plan in $userPlans) {
                    Set-Outcome $plan 'dry-run' '' ('would ' + $what)
                    Write-Result $plan
                }
            }
        } else {
            $status = 'declined'
            if ($WhatIfPreference) { $status = 'what-if' }
            foreach ($plan in $userPlans) {
                Set-Outcome $plan $status '' ('would ' + $what)
                Write-Result $plan
            }
        }
    }
} finally {
    # The record is kept whatever happens: Ctrl+C, an error, a refused tenant.
    foreach ($plan in $Plans) {
        if ($plan.Status -eq 'planned') { Set-Outcome $plan 'not-run' 'interrupted' 'The run stopped before this row.' }
        try { Write-Result $plan } catch { Write-Warning ('Could not write ' + $ResultCsv + ': ' + $_.Exception.Message) }
    }
    try {
        $record = @(foreach ($plan in $Plans) {
            [ordered]@{
                userPrincipalName = [string]$plan.Row.UserPrincipalName
                class = [string]$plan.Row.Action
                keepMode = [string]$plan.Row.KeepMode
                keepFamilies = [string]$plan.Row.KeepFamilies
                status = $plan.Status
                before = $plan.Before
                request = $plan.Request
                holdsAfter = $plan.HoldsAfter
                graphError = $plan.GraphError
            }
        })
        # `skusunset check-plan` reads this file: the tenant's SKUs and subscriptions as Graph gave
        # them, the family table, and per user the licenses before and the request.
        $document = [ordered]@{ customer = $CustomerName; tenantId = $TenantId; mode = $Mode; planFamilies = $PlanFamily; subscribedSkus = @($TenantSkus); subscriptions = @($Subscriptions); users = $record }
        Set-Content -LiteralPath $PlanJson -Value (ConvertTo-Json -InputObject $document -Depth 10) -Encoding UTF8 -WhatIf:$false -Confirm:$false
    } catch { Write-Warning ('Could not write ' + $PlanJson + ': ' + $_.Exception.Message) }
    if ($Connected) { Disconnect-MgGraph | Out-Null }
}

@($Plans) | Group-Object Status | ForEach-Object { Write-Host ('  ' + $_.Name + ': ' + $_.Count) }
Write-Host ('Results: ' + $ResultCsv)
Write-Host ('Record (licenses before, requests): ' + $PlanJson)
Write-Host 'Signed out of Microsoft Graph.'
Write-Host 'Before step C (suspending the old subscription), verify that no user holds any more:'
foreach ($name in $RetiringLicenses) { Write-Host ('  ' + $name) }
$failed = @($Plans | Where-Object { $_.Status -eq 'failed' -or $_.Status -eq 'not-run' -or $_.Status -eq 'check' }).Count
if ($failed -gt 0) {
    Write-Warning ([string]$failed + ' row(s) failed, were not run or need a look: see ' + $ResultCsv)
    exit 1
}
exit 0
