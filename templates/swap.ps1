# skusunset {{ version | comment }}: step B (reassign licenses) for {{ customer_name | comment }}
# Written from the exports as of {{ as_of | comment }}. Review {{ csv_file | comment }} (one row per user and
# retiring license) before you run this script; remove a row to leave that user alone.
#
#   {{ reassign }} user(s) to reassign: ONE assignLicense call per user adds the new plan and removes
#       the retiring license together (no gap in service); the user's disabled service plans are
#       carried over where the new plan has a plan of the same name.
#   {{ remove_only }} user(s) remove-only: the retiring license is removed; a license they already hold
#       covers it.
#   Users whose sign-in is blocked (review-blocked) are never changed by this script.
#
# How to run it:
#   1. .\{{ script_file | comment }}
#      A dry run: checks every user, changes nothing, writes {{ result_file | comment }}.
#   2. Read {{ result_file | comment }} and fix what it reports (usage location, free licenses).
#   3. .\{{ script_file | comment }} -Apply
#      Makes the changes (-WhatIf and -Confirm work as usual).
#
# Needs PowerShell 7 or Windows PowerShell 5.1, the Microsoft Graph PowerShell SDK 2.x
# (Install-Module Microsoft.Graph.Authentication -Scope CurrentUser) and a sign-in to the
# customer's tenant with the delegated scopes LicenseAssignment.ReadWrite.All and
# Organization.Read.All (a GDAP License Administrator role is enough).
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
#Requires -Modules @{ ModuleName = 'Microsoft.Graph.Authentication'; ModuleVersion = '2.0.0' }
[CmdletBinding(SupportsShouldProcess)]
param(
    # Make the changes. Without it the script only reports what it would do.
    [switch] $Apply,
{%- if not tenant_id %}
    # The customer's tenant id (the exports had none).
    [Parameter(Mandatory)] [string] $TenantId,
{%- endif %}
    # The users to move (default: the CSV beside this script).
    [string] $InputCsv = (Join-Path $PSScriptRoot {{ csv_file }}),
    # One result row per input row.
    [string] $ResultCsv = (Join-Path $PSScriptRoot {{ result_file }})
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
$Columns = @('UserPrincipalName', 'Action', 'RemoveSkuId', 'RemoveSkuPartNumber', 'AddSkuId', 'AddSkuPartNumber')

function Get-GraphStatus($ErrorRecord) {
    try { return [int]$ErrorRecord.Exception.Response.StatusCode } catch { return 0 }
}

function Get-GraphErrorCode($ErrorRecord) {
    try {
        $body = $ErrorRecord.ErrorDetails.Message | ConvertFrom-Json
        if ($body.error.code) { return [string]$body.error.code }
    } catch { }
    $status = Get-GraphStatus $ErrorRecord
    if ($status -gt 0) { return ('http-' + $status) }
    return 'error'
}

# One Graph request; throttling (429) and unavailability (503, 504) are retried after the
# Retry-After the service asks for (or 2, 4, 8, 16, 32 seconds).
function Invoke-Graph([string] $Method, [string] $Uri, $Body) {
    for ($attempt = 1; ; $attempt++) {
        try {
            if ($null -eq $Body) {
                return Invoke-MgGraphRequest -Method $Method -Uri $Uri
            }
            $json = ConvertTo-Json -InputObject $Body -Depth 6 -Compress
            return Invoke-MgGraphRequest -Method $Method -Uri $Uri -Body $json -ContentType 'application/json'
        } catch {
            $status = Get-GraphStatus $_
            if (($status -eq 429 -or $status -eq 503 -or $status -eq 504) -and $attempt -lt 6) {
                $wait = [int][math]::Pow(2, $attempt)
                try {
                    $delta = $_.Exception.Response.Headers.RetryAfter.Delta
                    if ($delta) { $wait = [int][math]::Ceiling($delta.TotalSeconds) }
                } catch { }
                Write-Warning ('Graph answered {0}; retrying in {1} s' -f $status, $wait)
                Start-Sleep -Seconds $wait
                continue
            }
            throw
        }
    }
}

function Find-TenantSku([string] $SkuId, [string] $PartNumber) {
    foreach ($sku in $TenantSkus) {
        if ($SkuId) {
            if ([string]$sku.skuId -eq $SkuId) { return $sku }
        } elseif ($PartNumber -and [string]$sku.skuPartNumber -eq $PartNumber) {
            return $sku
        }
    }
    return $null
}

function Format-Sku([string] $SkuId, [string] $PartNumber) {
    if ($SkuId) { return ('SkuId ' + $SkuId + ' (' + $PartNumber + ')') }
    return ('part number ' + $PartNumber)
}

$UserCache = @{}
function Get-User([string] $Upn) {
    if ($UserCache.ContainsKey($Upn)) { return $UserCache[$Upn] }
    $path = 'v1.0/users/' + [uri]::EscapeDataString($Upn)
    if ($Upn.StartsWith('$')) {
        $path = "v1.0/users('" + [uri]::EscapeDataString($Upn.Replace("'", "''")) + "')"
    }
    $user = $null
    try {
        $user = Invoke-Graph 'GET' ($path + '?$select=id,userPrincipalName,usageLocation,assignedLicenses,licenseAssignmentStates')
    } catch {
        if ((Get-GraphStatus $_) -ne 404) { throw }
    }
    $UserCache[$Upn] = $user
    return $user
}

function Set-Outcome($Plan, [string] $Status, [string] $Code, [string] $Message) {
    $Plan.Status = $Status
    $Plan.ErrorCode = $Code
    $Plan.Message = $Message
}

# The new license's disabled plans: each plan the user had disabled on the old license, where
# the new license has a service plan of the same name.
function Get-CarriedDisabledPlans($Assigned, $Old, $New) {
    $names = @{}
    foreach ($plan in @($Old.servicePlans)) {
        if ($plan) { $names[[string]$plan.servicePlanId] = [string]$plan.servicePlanName }
    }
    $carried = New-Object System.Collections.Generic.List[string]
    foreach ($id in @($Assigned.disabledPlans)) {
        if (-not $id -or -not $names.ContainsKey([string]$id)) { continue }
        foreach ($plan in @($New.servicePlans)) {
            if ($plan -and [string]$plan.servicePlanName -eq $names[[string]$id]) {
                $carried.Add([string]$plan.servicePlanId)
            }
        }
    }
    return $carried.ToArray()
}

# Decides what to do for one input row, reading only.
function Resolve-Row($Plan) {
    $row = $Plan.Row
    $class = [string]$row.Action
    if ($class -eq 'review-blocked') {
        Set-Outcome $Plan 'skipped' 'review-blocked' 'Sign-in is blocked: reclaim this license by hand; this script never changes blocked users.'
        return
    }
    if ($class -ne 'reassign' -and $class -ne 'remove-only') {
        Set-Outcome $Plan 'failed' 'unknown-action' ("Action '" + $class + "' is not reassign, remove-only or review-blocked.")
        return
    }
    $old = Find-TenantSku ([string]$row.RemoveSkuId) ([string]$row.RemoveSkuPartNumber)
    if ($null -eq $old) {
        Set-Outcome $Plan 'failed' 'retiring-sku-not-found' ('No SKU of this tenant has ' + (Format-Sku $row.RemoveSkuId $row.RemoveSkuPartNumber) + '. Find the retiring SKU with Get-MgSubscribedSku and put its SkuId in the RemoveSkuId column of the input CSV.')
        return
    }
    $new = $null
    if ($class -eq 'reassign') {
        $new = Find-TenantSku ([string]$row.AddSkuId) ([string]$row.AddSkuPartNumber)
        if ($null -eq $new) {
            Set-Outcome $Plan 'failed' 'new-sku-not-found' ('The tenant has no ' + (Format-Sku $row.AddSkuId $row.AddSkuPartNumber) + ': buy it first (step A).')
            return
        }
    }
    $user = Get-User ([string]$row.UserPrincipalName)
    if ($null -eq $user) {
        Set-Outcome $Plan 'failed' 'user-not-found' 'No user with this user principal name in the tenant.'
        return
    }
    $Plan.UserId = [string]$user.id
    $held = @(@($user.assignedLicenses) | Where-Object { $_ -and [string]$_.skuId -eq [string]$old.skuId })
    $holdsNew = $false
    if ($new) {
        $holdsNew = @(@($user.assignedLicenses) | Where-Object { $_ -and [string]$_.skuId -eq [string]$new.skuId }).Count -gt 0
    }
    if ($held.Count -eq 0) {
        if ($holdsNew) {
            Set-Outcome $Plan 'skipped' 'already-migrated' ('Already holds ' + $new.skuPartNumber + ' and not the retiring license.')
        } else {
            Set-Outcome $Plan 'skipped' 'not-held' ('Does not hold ' + $old.skuPartNumber + ' (removed already?).')
        }
        return
    }
    $groups = @(@($user.licenseAssignmentStates) | Where-Object { $_ -and [string]$_.skuId -eq [string]$old.skuId -and $_.assignedByGroup } | ForEach-Object { [string]$_.assignedByGroup })
    if ($groups.Count -gt 0) {
        Set-Outcome $Plan 'skipped' 'group-assigned' ('The retiring license comes from group ' + ($groups -join ', ') + ': change the group''s licenses instead.')
        return
    }
    $Plan.Remove = [string]$old.skuId
    if ($class -eq 'remove-only' -or $holdsNew) {
        $Plan.Operation = 'remove'
        return
    }
    if (-not $user.usageLocation) {
        Set-Outcome $Plan 'failed' 'no-usage-location' 'The user has no usage location, which a new license needs. Set it in the admin center (Users > Active users > the user > Account) and run again; this script never sets it.'
        return
    }
    $Plan.Operation = 'swap'
    $Plan.Add = @{ skuId = [string]$new.skuId; disabledPlans = @(Get-CarriedDisabledPlans $held[0] $old $new) }
}

if ($Apply) { $mode = 'APPLY: licenses will be changed' } else { $mode = 'dry run: nothing is changed (run with -Apply to make the changes)' }
Write-Host ('skusunset step B for ' + $CustomerName + ' - ' + $mode)
foreach ($warning in $Warnings) { Write-Warning $warning }

if (-not (Test-Path -LiteralPath $InputCsv -PathType Leaf)) { throw ('Input CSV not found: ' + $InputCsv) }
$Rows = @(Import-Csv -LiteralPath $InputCsv -Encoding UTF8)
if ($Rows.Count -gt 0) {
    $present = @($Rows[0].PSObject.Properties | ForEach-Object { $_.Name })
    foreach ($column in $Columns) {
        if ($present -notcontains $column) {
            throw ($InputCsv + ' has no column ' + $column + '; expected: ' + ($Columns -join ', '))
        }
    }
}

Connect-MgGraph -TenantId $TenantId -Scopes 'LicenseAssignment.ReadWrite.All', 'Organization.Read.All' -NoWelcome
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

# 1. Decide, per row, reading only.
$Plans = New-Object System.Collections.Generic.List[object]
foreach ($row in $Rows) {
    $plan = [pscustomobject]@{ Row = $row; UserId = ''; Operation = 'none'; Status = 'planned'; ErrorCode = ''; Message = ''; Add = $null; Remove = $null }
    $Plans.Add($plan)
    try {
        Resolve-Row $plan
    } catch {
        Set-Outcome $plan 'failed' (Get-GraphErrorCode $_) $_.Exception.Message
    }
}

# 2. Pre-flight: every new SKU enabled, with a free license for every user it goes to.
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
    $free = [int]$sku.prepaidUnits.enabled - [int]$sku.consumedUnits
    if ([string]$sku.capabilityStatus -ne 'Enabled') {
        $Shortfalls += ($sku.skuPartNumber + ' is ' + $sku.capabilityStatus + ' in this tenant, not Enabled.')
    } elseif ($free -lt $count) {
        $Shortfalls += ($sku.skuPartNumber + ': ' + $count + ' user(s) to move, ' + $free + ' free license(s): buy ' + ($count - $free) + ' more (step A).')
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

# 3. One assignLicense call per user (adds and removes together), only with -Apply.
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
    $upn = [string]$userPlans[0].Row.UserPrincipalName
    $what = 'assignLicense: add ' + (@($add | ForEach-Object { $_.skuId }) -join ', ') + '; remove ' + ($remove -join ', ')
    if ($PSCmdlet.ShouldProcess($upn, $what)) {
        if ($Apply) {
            try {
                Invoke-Graph 'POST' ('v1.0/users/' + $userId + '/assignLicense') @{ addLicenses = @($add); removeLicenses = @($remove) } | Out-Null
                foreach ($plan in $userPlans) { Set-Outcome $plan 'done' '' $what }
            } catch {
                $code = Get-GraphErrorCode $_
                $message = $_.Exception.Message
                foreach ($plan in $userPlans) { Set-Outcome $plan 'failed' $code $message }
            }
        } else {
            foreach ($plan in $userPlans) { Set-Outcome $plan 'dry-run' '' ('would ' + $what) }
        }
    } else {
        foreach ($plan in $userPlans) { Set-Outcome $plan 'what-if' '' ('would ' + $what) }
    }
}

$Results = foreach ($plan in $Plans) {
    [pscustomobject][ordered]@{
        UserPrincipalName = $plan.Row.UserPrincipalName
        Class = $plan.Row.Action
        Action = $plan.Operation
        Status = $plan.Status
        ErrorCode = $plan.ErrorCode
        Message = $plan.Message
        Timestamp = (Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')
    }
}
@($Results) | Export-Csv -LiteralPath $ResultCsv -NoTypeInformation -Encoding UTF8 -WhatIf:$false
@($Results) | Group-Object Status | ForEach-Object { Write-Host ('  ' + $_.Name + ': ' + $_.Count) }
Write-Host ('Results: ' + $ResultCsv)
Write-Host 'Before step C (suspending the old subscription), verify that no user holds any more:'
foreach ($name in $RetiringLicenses) { Write-Host ('  ' + $name) }
$failed = @($Plans | Where-Object { $_.Status -eq 'failed' -or $_.Status -eq 'not-run' }).Count
if ($failed -gt 0) {
    Write-Warning ([string]$failed + ' row(s) failed or were not run: see ' + $ResultCsv)
    exit 1
}
exit 0
