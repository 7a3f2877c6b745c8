"""Stops one channel of a BioLogic potentiostat through the EC-Lab Development Package (kbio).

    python biologic_stop.py <instrument address> <channel number (1-based)>

Needs Windows, the EC-Lab Development Package installed (its EClib DLL) and its Python `kbio` package
(shipped in the package's examples folder) on PYTHONPATH. KBIO_api.Connect / StopChannel / Disconnect
are the package's documented calls; this script was written against that documentation and has not
been run against an instrument by the Sandglass project: try it on a dummy cell first.

Caveat (the Development Package manual): a channel started from the EC-Lab GUI may be loaded with other
firmware than the one the package uses; then use EC-Lab's OLE-COM interface instead (the aurora-biologic
and biologic-com projects drive a stop through it).
"""

import os
import sys

from kbio.kbio_api import KBIO_api  # from the EC-Lab Development Package
from kbio.c_utils import c_is_64b

PACKAGE_DIR = os.environ.get("ECLAB_DEV_PACKAGE", "C:/EC-Lab Development Package/lib")


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    address, channel = sys.argv[1], int(sys.argv[2])
    dll = os.path.join(PACKAGE_DIR, "EClib64.dll" if c_is_64b else "EClib.dll")
    blfind = os.path.join(PACKAGE_DIR, "blfind64.dll" if c_is_64b else "blfind.dll")
    api = KBIO_api(dll, blfind)
    id_, _info = api.Connect(address, 5)
    try:
        api.StopChannel(id_, channel)
    finally:
        api.Disconnect(id_)
    print(f"stopped channel {channel} of {address}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
