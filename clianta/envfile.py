"""Write the local secrets `make run` needs into .env, once.

``python -m clianta.envfile`` adds SECRET_KEY, ENCRYPTION_KEYS and DEMO_PASSWORD to .env when
neither the environment nor the file has them, and says what it generated.
``python -m clianta.envfile --key`` prints a new encryption key (for rotation).
"""

import base64
import os
import secrets
import sys
from pathlib import Path

ENV_FILE = Path(__file__).resolve().parent.parent / ".env"

GENERATORS = {
    "SECRET_KEY": lambda: secrets.token_urlsafe(50),
    "ENCRYPTION_KEYS": lambda: base64.b64encode(os.urandom(32)).decode(),
    "DEMO_PASSWORD": lambda: secrets.token_urlsafe(12),
}


def main(argv: list[str]) -> None:
    if "--key" in argv:
        print(GENERATORS["ENCRYPTION_KEYS"]())
        return
    lines = ENV_FILE.read_text().splitlines() if ENV_FILE.exists() else []
    values = dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))
    missing = [
        name for name in GENERATORS if not values.get(name, "").strip() and not os.environ.get(name)
    ]
    if not missing:
        return
    for name in missing:
        line = f"{name}={GENERATORS[name]()}"
        if name in values:  # fill the empty entry in place: the first entry of a name wins
            lines[lines.index(f"{name}={values[name]}")] = line
        else:
            lines.append(line)
    ENV_FILE.write_text("\n".join(lines) + "\n")
    ENV_FILE.chmod(0o600)
    print(f"Generated {', '.join(missing)} into {ENV_FILE} (local use only; keep it private).")


if __name__ == "__main__":
    main(sys.argv[1:])
