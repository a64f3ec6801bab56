; Inno Setup script for the Windows installer (not built on the Linux build machines).
; 1. On Windows, with the app installed in a venv:  pip install -e ".[bundle]"
; 2. set RADAR_WINDOWED=1 && pyinstaller --noconfirm --distpath build\dist packaging\radar_desktop.spec
;    (windowed: no console window; the app then logs to %LOCALAPPDATA%\RADAR\RADAR Desktop\logs)
; 3. python packaging\render_icon.py resources\icon.svg 256 build\icon.png, then convert it to build\icon.ico
; 4. iscc packaging\windows\radar_desktop.iss   -> build\RADAR-Desktop-setup-<version>.exe
#define AppName "RADAR Desktop"
#define AppVersion GetEnv("RADAR_VERSION")
#if AppVersion == ""
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6B7E2F1C-4D1A-4E3B-9C0D-3A5F7B1E2D40}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=RADAR Desktop team
DefaultDirName={autopf}\RADAR Desktop
DefaultGroupName=RADAR Desktop
OutputDir=..\..\build
OutputBaseFilename=RADAR-Desktop-setup-{#AppVersion}
SetupIconFile=..\..\build\icon.ico
Compression=lzma2/max
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequiredOverridesAllowed=dialog
UninstallDisplayIcon={app}\radar-desktop.exe

[Files]
Source: "..\..\build\dist\radar-desktop\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\RADAR Desktop"; Filename: "{app}\radar-desktop.exe"
Name: "{autodesktop}\RADAR Desktop"; Filename: "{app}\radar-desktop.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Run]
Filename: "{app}\radar-desktop.exe"; Description: "Start RADAR Desktop"; Flags: nowait postinstall skipifsilent
