from scenetui.cli import main

raise SystemExit(main())
