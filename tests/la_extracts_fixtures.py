"""Hand-made SSDA903 and CIN extracts for year ending 31 March 2015, one child per hard case.

Expected values (worked out by hand, in the test module) rely on the comments here."""

EPISODES_2015 = """CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN
A,01/01/2015,S,C2,N1,U4,PR4,,,,,,
B,01/06/2014,S,V3,N1,U6,PR1,03/06/2014,E8,,,,
B,01/03/2015,S,V4,N1,U6,PR1,,,,,,
C,01/05/2014,S,C2,N2,K2,PR4,01/07/2014,E11,,,,
C,01/10/2014,S,V2,N2,U6,PR1,01/12/2014,E13,,,,
D,01/02/2014,S,C2,N1,U6,PR1,10/05/2014,X1,PLACE,,,
D,10/05/2014,P,C2,N1,K2,PR4,,,,,,
D,10/05/2014,P,C2,N1,U4,PR5,10/05/2014,X1,OTHER,,,
E,01/04/2014,S,C2,N1,U6,PR1,01/06/2014,X1,CARPL,,,
E,01/06/2014,P,C2,N1,U4,PR4,01/09/2014,X1,CARPL,,,
E,01/09/2014,P,C2,N1,K2,PR4,,,,,,
F,01/01/2014,S,C2,N1,U6,PR1,31/03/2015,E11,,,,
"""
# A: open across 31 March 2015 (started 1 Jan 2015).          B: short breaks only (V3, then V4 open on 31 March).
# C: two periods of care in the year, both ended.              D: same-day placement changes on 10 May 2014 (the
#    U4 placement starts and ends that day; rows deliberately out of order).
# E: three placements in the year, looked after on 31 March.   F: episode ending on 31 March 2015 (ceased).

CIN_2015 = """<Message><Header><CollectionDetails><Collection>CIN</Collection><Year>2015</Year>
<ReferenceDate>2015-03-31</ReferenceDate></CollectionDetails><Source><LEA>213</LEA></Source></Header><Children>
<Child><ChildIdentifiers><LAchildID>P</LAchildID><PersonBirthDate>2008-01-01</PersonBirthDate></ChildIdentifiers>
 <CINdetails><CINreferralDate>2013-06-10</CINreferralDate></CINdetails>
 <CINdetails><CINreferralDate>2014-06-09</CINreferralDate>
  <ChildProtectionPlans><CPPstartDate>2014-07-01</CPPstartDate><NumberOfPreviousCPP>0</NumberOfPreviousCPP></ChildProtectionPlans></CINdetails></Child>
<Child><ChildIdentifiers><LAchildID>Q</LAchildID><PersonBirthDate>2008-01-01</PersonBirthDate></ChildIdentifiers>
 <CINdetails><CINreferralDate>2013-06-10</CINreferralDate>
  <ChildProtectionPlans><CPPstartDate>2013-01-01</CPPstartDate><CPPendDate>2013-06-01</CPPendDate></ChildProtectionPlans></CINdetails>
 <CINdetails><CINreferralDate>2014-06-11</CINreferralDate>
  <ChildProtectionPlans><CPPstartDate>2014-08-01</CPPstartDate><CPPendDate>2015-03-31</CPPendDate></ChildProtectionPlans></CINdetails></Child>
<Child><ChildIdentifiers><LAchildID>R</LAchildID><PersonBirthDate>2008-01-01</PersonBirthDate></ChildIdentifiers>
 <CINdetails><CINreferralDate>2014-04-01</CINreferralDate>
  <ChildProtectionPlans><CPPstartDate>2014-09-01</CPPstartDate><NumberOfPreviousCPP>1</NumberOfPreviousCPP></ChildProtectionPlans></CINdetails></Child>
<Child><ChildIdentifiers><LAchildID>S</LAchildID><PersonBirthDate>2008-01-01</PersonBirthDate></ChildIdentifiers>
 <CINdetails><CINreferralDate>2014-05-01</CINreferralDate></CINdetails>
 <CINdetails><CINreferralDate>2015-03-01</CINreferralDate></CINdetails></Child>
<Child><ChildIdentifiers><LAchildID>T</LAchildID><PersonBirthDate>2008-01-01</PersonBirthDate></ChildIdentifiers>
 <CINdetails><CINreferralDate>2013-07-01</CINreferralDate></CINdetails>
 <CINdetails><CINreferralDate>2014-07-01</CINreferralDate></CINdetails></Child>
</Children></Message>"""
# P: re-referred 364 days after the previous referral (just inside 12 months); plan open on 31 March.
# Q: re-referred 12 months and 1 day after (just outside); second plan, ending ON 31 March (not open).
# R: one referral; plan open on 31 March with NumberOfPreviousCPP = 1 (subsequent).
# S: two referrals inside the year, 10 months apart (the second is a re-referral).
# T: re-referred exactly 12 months later (counts as within 12 months: the project's boundary rule).


def write_extract(folder, la="213", year="2015"):
    """Write the fixtures in the agreed layout; returns the LA-year folder."""
    from pathlib import Path

    d = Path(folder) / "la_extracts" / la / year
    (d / "ssda903").mkdir(parents=True)
    (d / "cin").mkdir(parents=True)
    (d / "ssda903" / "episodes.csv").write_text(EPISODES_2015)
    (d / "cin" / "cin_census.xml").write_text(CIN_2015)
    return d
