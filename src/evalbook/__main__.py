from evalbook.cli import main

main()
