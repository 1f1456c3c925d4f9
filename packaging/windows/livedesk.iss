; Inno Setup 6 script for Livedesk (Windows installer around the PyInstaller one-folder build).
; Build on Windows after PyInstaller:
;   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1   (venv, PyInstaller, smoke test, ISCC)
; or by hand:
;   ISCC.exe /DAppVersion=0.1.0 packaging\windows\livedesk.iss
; Input:  dist\livedesk\ (PyInstaller output)   Output: dist\installer\Livedesk-<version>-setup.exe

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Livedesk"
#define AppExe "livedesk.exe"
#define Root "..\.."

[Setup]
AppId={{8E0C7B2E-4F6A-4C1D-9E55-6B1F3A2D7C10}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Livedesk
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#Root}\dist\installer
OutputBaseFilename=Livedesk-{#AppVersion}-setup
SetupIconFile={#Root}\packaging\icons\livedesk.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ShowLanguageDialog=auto

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
; ChineseSimplified.isl ships in Inno Setup's unofficial translations; uncomment when installed:
; Name: "chinesesimp"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#Root}\dist\livedesk\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"; Parameters: "console"
Name: "{group}\{#AppName} Prompter"; Filename: "{app}\{#AppExe}"; Parameters: "prompter"
Name: "{group}\{#AppName} Replay"; Filename: "{app}\{#AppExe}"; Parameters: "replay"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Parameters: "console"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Parameters: "console"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

; User data (recordings in %LOCALAPPDATA%\livedesk, plugin config in %LOCALAPPDATA%\livedesk)
; is deliberately kept on uninstall.
