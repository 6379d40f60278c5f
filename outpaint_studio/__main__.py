import sys

from outpaint_studio.app import main

sys.exit(main())
