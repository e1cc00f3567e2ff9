from sanzhi.cli import main

main()
