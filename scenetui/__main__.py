from scenetui.cli.main import main

raise SystemExit(main())
