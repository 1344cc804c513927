# The step B script's functions (included into swap.ps1 by skusunset; not a script of its own).

function Get-Family([string] $Name) {
    if ($PlanFamily.ContainsKey($Name)) { return [string]$PlanFamily[$Name] }
    return $Name
}

function Get-GraphStatus($ErrorRecord) {
    try { return [int]$ErrorRecord.Exception.Response.StatusCode } catch { return 0 }
}

# What to do about Graph's refusals, by Graph's error code.
$ErrorAdvice = @{
    'usage-location' = 'The user has no usage location, which a license needs: set it in the admin center (Users > Active users > the user > Account) and run again. '
    'CountViolation' = 'No free license of the new plan is left in the tenant: buy more (step A) and run again. '
    'MutuallyExclusiveViolation' = 'The new plan cannot be held together with another license of this user: remove the conflicting license, or choose another plan. '
    'DependencyViolation' = 'A service plan needs another one that is disabled or would be removed: enable it on the user''s licenses, or keep the license it depends on. '
    'Authorization_RequestDenied' = 'The signed-in account may not do this for this user: check its admin role (License Administrator or User Administrator) and the scopes. '
}

# What Graph said, in the admin's words. The SDK puts the whole HTTP response into
# ErrorDetails.Message: the status line, the headers, a blank line, then Graph's JSON body.
function Get-GraphError($ErrorRecord) {
    $status = Get-GraphStatus $ErrorRecord
    $code = ''
    $detail = ''
    $text = ''
    if ($ErrorRecord.ErrorDetails) { $text = [string]$ErrorRecord.ErrorDetails.Message }
    $blank = $text.IndexOf("`r`n`r`n")
    if ($blank -lt 0) { $blank = $text.IndexOf("`n`n") }
    if ($blank -ge 0) { $text = $text.Substring($blank) }
    $start = $text.IndexOf('{')
    if ($start -ge 0) {
        try {
            $body = ConvertFrom-Json -InputObject $text.Substring($start)
            if ($body.error) {
                $code = [string]$body.error.code
                $detail = [string]$body.error.message
            }
        } catch { }
    }
    if (-not $code) {
        if ($status -gt 0) { $code = 'http-' + $status } else { $code = 'error' }
    }
    if (-not $detail) { $detail = [string]$ErrorRecord.Exception.Message }
    $advice = ''
    if ($detail -match 'usage location') { $advice = $ErrorAdvice['usage-location'] }
    elseif ($ErrorAdvice.ContainsKey($code)) { $advice = $ErrorAdvice[$code] }
    elseif ($status -eq 403) { $advice = $ErrorAdvice['Authorization_RequestDenied'] }
    $advice = $advice + 'Graph said: ' + $detail
    $raw = ''
    if ($ErrorRecord.ErrorDetails) { $raw = [string]$ErrorRecord.ErrorDetails.Message }
    return [pscustomobject]@{ Code = $code; Message = $advice; Raw = $raw }
}

# One Graph request. Throttling and unavailability are retried by the SDK itself; a write is
# never retried here (a retried change may have been made already): the user is read back instead.
function Invoke-Graph([string] $Method, [string] $Uri, [string] $Json) {
    if (-not $Json) { return Invoke-MgGraphRequest -Method $Method -Uri $Uri }
    return Invoke-MgGraphRequest -Method $Method -Uri $Uri -Body $Json -ContentType 'application/json'
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
function Get-User([string] $Upn, [switch] $Fresh) {
    if (-not $Fresh -and $UserCache.ContainsKey($Upn)) { return $UserCache[$Upn] }
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

# The part numbers a user holds, for the record.
function Format-Holdings($User) {
    if ($null -eq $User) { return '(user not found)' }
    $names = foreach ($license in @($User.assignedLicenses)) {
        if (-not $license) { continue }
        $sku = Find-TenantSku ([string]$license.skuId) ''
        if ($sku) { [string]$sku.skuPartNumber } else { [string]$license.skuId }
    }
    return (@($names) -join ' + ')
}

function Set-Outcome($Plan, [string] $Status, [string] $Code, [string] $Message) {
    $Plan.Status = $Status
    $Plan.ErrorCode = $Code
    $Plan.Message = $Message
}

# The user's assignment of a SKU, or $null.
function Get-Assignment($User, $Sku) {
    foreach ($license in @($User.assignedLicenses)) {
        if ($license -and [string]$license.skuId -eq [string]$Sku.skuId) { return $license }
    }
    return $null
}

# The families of a SKU's service plans the user has enabled (a table), or $null when the user
# does not hold the SKU or its assignment is in an error state.
function Get-EnabledFamilies($User, $Sku) {
    $assignment = Get-Assignment $User $Sku
    if ($null -eq $assignment) { return $null }
    $errors = @(@($User.licenseAssignmentStates) | Where-Object { $_ -and [string]$_.skuId -eq [string]$Sku.skuId -and [string]$_.state -eq 'Error' })
    if ($errors.Count -gt 0) { return $null }
    $disabled = @(@($assignment.disabledPlans) | ForEach-Object { [string]$_ })
    $families = @{}
    foreach ($plan in @($Sku.servicePlans)) {
        if ($plan -and $disabled -notcontains [string]$plan.servicePlanId) { $families[(Get-Family ([string]$plan.servicePlanName))] = $true }
    }
    return $families
}

# Why the retiring license may not go yet ('' when it may): the keeper must have enabled a plan
# of one listed family (KeepMode any), or of each listed family the retiring license has enabled
# (KeepMode each); KeepMode none: the new plan has no family of the old one, nothing can stay.
# Returns the families still missing in $Missing.
function Test-Keeper($User, $Row, $Retiring, $Keeper, [ref] $Missing) {
    $Missing.Value = @()
    if ([string]$Row.KeepMode -eq 'none') { return '' }
    $wanted = @(([string]$Row.KeepFamilies).Split(';') | Where-Object { $_ })
    if ($wanted.Count -eq 0) {
        return ('skusunset could not tell which service plans must stay (the SKU table does not know ' + $Retiring.skuPartNumber + ' or ' + $Keeper.skuPartNumber + '): check the user by hand.')
    }
    $kept = Get-EnabledFamilies $User $Keeper
    if ($null -eq $kept) { return ('The user does not hold ' + $Keeper.skuPartNumber + ', or it is in an error state.') }
    if ([string]$Row.KeepMode -eq 'any') {
        foreach ($family in $wanted) { if ($kept.ContainsKey($family)) { return '' } }
        $Missing.Value = $wanted
        return ('No service plan of ' + ($wanted -join ', ') + ' is enabled on ' + $Keeper.skuPartNumber + ' for this user.')
    }
    $had = Get-EnabledFamilies $User $Retiring
    $lost = @($wanted | Where-Object { $had -and $had.ContainsKey($_) -and -not $kept.ContainsKey($_) })
    if ($lost.Count -eq 0) { return '' }
    $Missing.Value = $lost
    return ('Enabled on ' + $Retiring.skuPartNumber + ' but disabled on ' + $Keeper.skuPartNumber + ': ' + ($lost -join ', ') + '.')
}

# The new license's disabled plans: the plans of each family the user had disabled on the old
# license (and none enabled there); a family the old license did not have is enabled.
function Get-CarriedDisabledPlans($User, $Old, $New) {
    $assignment = Get-Assignment $User $Old
    $disabled = @(@($assignment.disabledPlans) | ForEach-Object { [string]$_ })
    $off = @{}
    $on = @{}
    foreach ($plan in @($Old.servicePlans)) {
        if (-not $plan) { continue }
        $family = Get-Family ([string]$plan.servicePlanName)
        if ($disabled -contains [string]$plan.servicePlanId) { $off[$family] = $true } else { $on[$family] = $true }
    }
    $carried = New-Object System.Collections.Generic.List[string]
    foreach ($plan in @($New.servicePlans)) {
        if (-not $plan) { continue }
        $family = Get-Family ([string]$plan.servicePlanName)
        if ($off.ContainsKey($family) -and -not $on.ContainsKey($family)) { $carried.Add([string]$plan.servicePlanId) }
    }
    return $carried.ToArray()
}

# The new license's disabled plans with the plans of $Families enabled.
function Get-EnabledPlans($User, $Sku, $Families) {
    $assignment = Get-Assignment $User $Sku
    $keep = New-Object System.Collections.Generic.List[string]
    foreach ($id in @($assignment.disabledPlans)) {
        if (-not $id) { continue }
        $plan = @(@($Sku.servicePlans) | Where-Object { $_ -and [string]$_.servicePlanId -eq [string]$id })
        if ($plan.Count -gt 0 -and $Families -contains (Get-Family ([string]$plan[0].servicePlanName))) { continue }
        $keep.Add([string]$id)
    }
    return $keep.ToArray()
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
    if ($class -eq 'reassign') {
        $keeper = Find-TenantSku ([string]$row.AddSkuId) ([string]$row.AddSkuPartNumber)
        if ($null -eq $keeper) {
            Set-Outcome $Plan 'failed' 'new-sku-not-found' ('The tenant has no ' + (Format-Sku $row.AddSkuId $row.AddSkuPartNumber) + ': buy it first (step A).')
            return
        }
    } else {
        $keeper = Find-TenantSku ([string]$row.CoverSkuId) ([string]$row.CoverSkuPartNumber)
        if ($null -eq $keeper) {
            Set-Outcome $Plan 'not-run' 'no-checked-cover' ('The tenant has no ' + (Format-Sku $row.CoverSkuId $row.CoverSkuPartNumber) + ', the license that covers the retiring one in the exports: nothing is removed.')
            return
        }
    }
    if ([string]$keeper.skuId -eq [string]$old.skuId) {
        Set-Outcome $Plan 'failed' 'same-sku' ($old.skuPartNumber + ' is both the retiring license and its replacement: fix the input CSV.')
        return
    }
    $user = Get-User ([string]$row.UserPrincipalName)
    if ($null -eq $user) {
        Set-Outcome $Plan 'failed' 'user-not-found' 'No user with this user principal name in the tenant.'
        return
    }
    $Plan.UserId = [string]$user.id
    $Plan.Before = $user
    $held = Get-Assignment $user $old
    $holdsKeeper = $null -ne (Get-Assignment $user $keeper)
    if ($null -eq $held) {
        if ($class -eq 'reassign' -and $holdsKeeper) {
            Set-Outcome $Plan 'skipped' 'already-migrated' ('Already holds ' + $keeper.skuPartNumber + ' and not the retiring license.')
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
    if ($class -eq 'reassign' -and -not $holdsKeeper) {
        if (-not $user.usageLocation) {
            Set-Outcome $Plan 'failed' 'no-usage-location' 'The user has no usage location, which a new license needs. Set it in the admin center (Users > Active users > the user > Account) and run again; this script never sets it.'
            return
        }
        $Plan.Operation = 'swap'
        $Plan.Add = @{ skuId = [string]$keeper.skuId; disabledPlans = @(Get-CarriedDisabledPlans $user $old $keeper) }
        return
    }
    # The user keeps another license: it must cover the retiring one, enabled.
    $missing = @()
    $why = Test-Keeper $user $row $old $keeper ([ref] $missing)
    if (-not $why) {
        $Plan.Operation = 'remove'
        return
    }
    $byGroup = @(@($user.licenseAssignmentStates) | Where-Object { $_ -and [string]$_.skuId -eq [string]$keeper.skuId -and $_.assignedByGroup })
    if ($class -eq 'reassign' -and @($missing).Count -gt 0 -and $byGroup.Count -eq 0) {
        # Enable the missing plans on the new license in the same call that removes the old one.
        $Plan.Operation = 'enable-and-remove'
        $Plan.Add = @{ skuId = [string]$keeper.skuId; disabledPlans = @(Get-EnabledPlans $user $keeper $missing) }
        return
    }
    $code = 'no-checked-cover'
    if ($class -eq 'reassign') { $code = 'no-checked-replacement' }
    Set-Outcome $Plan 'not-run' $code ($why + ' Nothing is removed: the user would lose these services.')
}

# Appends one row to the result file (once per row).
function Write-Result($Plan) {
    if ($Plan.Written) { return }
    $record = [pscustomobject][ordered]@{
        UserPrincipalName = $Plan.Row.UserPrincipalName
        Class = $Plan.Row.Action
        Action = $Plan.Operation
        Status = $Plan.Status
        ErrorCode = $Plan.ErrorCode
        Message = $Plan.Message
        Request = $Plan.Request
        HoldsAfter = $Plan.HoldsAfter
        Timestamp = (Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ', $Invariant)
    }
    Export-Csv -InputObject $record -LiteralPath $ResultCsv -Append -NoTypeInformation -Encoding UTF8 -WhatIf:$false -Confirm:$false
    $Plan.Written = $true
}
