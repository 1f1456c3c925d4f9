# Build the Windows package of Livedesk with one command, from a checkout on a Windows PC:
#
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1
#
# Needs Python 3.11, 3.12 or 3.13 from python.org (the "py" launcher) and, for the installer,
# Inno Setup 6 (ISCC.exe on PATH or in its default folder). Creates .venv, installs Livedesk
# with the "package" extra (PyInstaller, pinned in pyproject.toml), runs PyInstaller with
# packaging\livedesk.spec (one folder: dist\livedesk\livedesk.exe), smoke-tests the build
# (livedesk.exe --version, check-plan on the bundled plan) and, when Inno Setup is found,
# writes dist\installer\Livedesk-<version>-setup.exe.
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")

$py = $null
foreach ($v in "3.13", "3.12", "3.11") {
    & py "-$v" -c "import sys" 2>$null
    if ($LASTEXITCODE -eq 0) { $py = "-$v"; break }
}
if (-not $py) { throw "Python 3.11, 3.12 or 3.13 is needed (python.org installer, with the py launcher)" }

if (-not (Test-Path .venv\Scripts\python.exe)) { & py $py -m venv .venv }
$python = ".venv\Scripts\python.exe"
& $python -m pip install -q --upgrade pip
& $python -m pip install -q -e ".[package]"
if ($LASTEXITCODE -ne 0) { throw "pip install failed" }
$version = & $python -c "import importlib.metadata as m; print(m.version('livedesk'))"

Write-Host "== PyInstaller (one folder) livedesk $version"
& $python -m PyInstaller --noconfirm --clean --distpath dist --workpath build\pyinstaller packaging\livedesk.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }

Write-Host "== smoke test"
# The windowed exe has no console: run the commands and read their exit codes.
$exe = "dist\livedesk\livedesk.exe"
$p = Start-Process -FilePath $exe -ArgumentList "--version" -Wait -PassThru -NoNewWindow
if ($p.ExitCode -ne 0) { throw "livedesk.exe --version failed ($($p.ExitCode))" }
$plan = "dist\livedesk\_internal\resources\sample_plan.yaml"
$p = Start-Process -FilePath $exe -ArgumentList "check-plan", "`"$plan`"" -Wait -PassThru -NoNewWindow
if ($p.ExitCode -ne 0) { throw "livedesk.exe check-plan failed ($($p.ExitCode))" }

$iscc = (Get-Command ISCC.exe -ErrorAction SilentlyContinue).Source
if (-not $iscc) {
    $default = Join-Path ${env:ProgramFiles(x86)} "Inno Setup 6\ISCC.exe"
    if (Test-Path $default) { $iscc = $default }
}
if ($iscc) {
    Write-Host "== Inno Setup installer"
    & $iscc "/DAppVersion=$version" packaging\windows\livedesk.iss
    if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }
    Write-Host "built dist\installer\Livedesk-$version-setup.exe"
} else {
    Write-Host "Inno Setup 6 not found: dist\livedesk\ is ready, no installer written"
}
