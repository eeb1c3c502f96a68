#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.7.1' }
# Real file-system faults under Write-DuriHeartbeat: a full disk and a read-only file system (a small
# tmpfs), and no permission (an immutable directory). Making them needs root and mount/chattr; where the
# machine cannot, the tests say so as skipped rather than pass.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../Duri.Ops.psd1') -Force
    $script:mountPoint = Join-Path ([IO.Path]::GetTempPath()) "duri-faults-$PID"
    $null = New-Item -ItemType Directory -Path $mountPoint -Force
    $script:mounted = $false
    if ($IsLinux -and (& id -u) -eq '0') {
        & mount -t tmpfs -o size=64k tmpfs $mountPoint 2>$null
        $script:mounted = $LASTEXITCODE -eq 0
    }
    $script:immutable = Join-Path ([IO.Path]::GetTempPath()) "duri-immutable-$PID"
    $null = New-Item -ItemType Directory -Path $immutable -Force

    function Get-Heartbeat([string] $Directory) { Get-Content -Raw -LiteralPath (Join-Path $Directory 'duri_heartbeat.prom') }
}

AfterAll {
    if ($script:mounted) { & umount $mountPoint }
    Remove-Item -LiteralPath $mountPoint -Recurse -Force -ErrorAction Ignore
    if (Get-Command chattr -ErrorAction Ignore) { & chattr -i $immutable 2>$null }
    Remove-Item -LiteralPath $immutable -Recurse -Force -ErrorAction Ignore
    Remove-Module Duri.Ops -ErrorAction Ignore
}

Describe 'Write-DuriHeartbeat on a failing file system' {
    It 'reports a full disk as HeartbeatWriteFailed and keeps the previous file' {
        if (-not $mounted) { Set-ItResult -Skipped -Because 'mounting a small tmpfs needs root on Linux'; return }
        $null = Write-DuriHeartbeat -Directory $mountPoint
        $before = Get-Heartbeat $mountPoint
        # Fill what is left of the 64 KiB.
        $filler = Join-Path $mountPoint 'filler'
        & dd if=/dev/zero "of=$filler" bs=4k 2>$null
        (Get-Item -LiteralPath $filler).Length | Should -BeGreaterThan 0
        { Write-DuriHeartbeat -Directory $mountPoint } | Should -Throw -ErrorId 'HeartbeatWriteFailed,Duri.Ops.Commands.WriteDuriHeartbeatCommand'
        Get-Heartbeat $mountPoint | Should -BeExactly $before
        Get-ChildItem -LiteralPath $mountPoint -Force -Filter '*.tmp' | Should -BeNullOrEmpty
        Remove-Item -LiteralPath (Join-Path $mountPoint 'filler')
        (Write-DuriHeartbeat -Directory $mountPoint).Sequence | Should -Be 2
    }

    It 'reports a read-only file system as HeartbeatWriteFailed and keeps the previous file' {
        if (-not $mounted) { Set-ItResult -Skipped -Because 'mounting a small tmpfs needs root on Linux'; return }
        $before = Get-Heartbeat $mountPoint
        & mount -o remount,ro $mountPoint
        try {
            $failure = $null
            try { Write-DuriHeartbeat -Directory $mountPoint -ErrorAction Stop } catch { $failure = $_ }
            $failure | Should -Not -BeNullOrEmpty
            $failure.FullyQualifiedErrorId | Should -Be 'HeartbeatWriteFailed,Duri.Ops.Commands.WriteDuriHeartbeatCommand'
            $failure.Exception.Message | Should -Match 'Read-only file system'
            $failure.ErrorDetails.Message | Should -Match 'previous heartbeat file is unchanged'
            Get-Heartbeat $mountPoint | Should -BeExactly $before
        }
        finally {
            & mount -o remount,rw $mountPoint
        }
    }

    It 'reports no permission as HeartbeatAccessDenied and keeps the previous file' {
        if (-not (Get-Command chattr -ErrorAction Ignore) -or -not $IsLinux -or (& id -u) -ne '0') { Set-ItResult -Skipped -Because 'making a directory immutable needs chattr and root'; return }
        $null = Write-DuriHeartbeat -Directory $immutable
        $before = Get-Heartbeat $immutable
        & chattr +i $immutable 2>$null
        if ($LASTEXITCODE -ne 0) { Set-ItResult -Skipped -Because 'this file system does not support immutable directories'; return }
        try {
            $failure = $null
            try { Write-DuriHeartbeat -Directory $immutable -ErrorAction Stop } catch { $failure = $_ }
            $failure | Should -Not -BeNullOrEmpty
            $failure.FullyQualifiedErrorId | Should -Be 'HeartbeatAccessDenied,Duri.Ops.Commands.WriteDuriHeartbeatCommand'
            Get-Heartbeat $immutable | Should -BeExactly $before
        }
        finally {
            & chattr -i $immutable
        }
    }
}
