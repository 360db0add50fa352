"""What the import page and API tests share: a small export with known problems."""

# Line 3: negative followers; line 4: a formula in a number cell; line 6: a duplicate of line 2.
SMALL_CSV = (
    "Account,Fans,Avg likes,Land,Gender\n"
    "@Maya.Runs,12.5k,400,Germany,F\n"
    "leo,-5,10,FR,M\n"
    "nina,=SUM(A1:A9),7,US,F\n"
    "omar,3.3k,,Spain,M\n"
    "maya.runs,12.5k,400,Germany,F\n"
)
