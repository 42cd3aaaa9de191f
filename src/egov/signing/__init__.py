"""Digital signatures (chữ ký số): PAdES signing and verification of PDFs, certificates, stamps.

For other apps:
- `services.sign_for_official(actor=, pdf=, certificate=None, stamp_box=None, page=-1, reason=, obj=None)`
  a leader signs with their own registered certificate (visible stamp: name, position, agency, time);
- `services.sign_for_agency(actor=, agency=, pdf=, obj=None)` the clerk adds the agency's signature
  at issuing (incremental; stamp at the top right of the first page, Decree 30/2020);
- `services.verify_and_summarise(pdf)` -> `pades.VerificationReport` against the trusted roots the
  administrator manages; `report.present(report)` gives the Vietnamese wording for a page;
The apps that sign wire these into their own services (`documents.outgoing.sign_outgoing_document`,
`issue_signed_document`, `verify_document_file`; `dossiers.workflow.sign_dossier_result`): signing
imports neither of them.
The PAdES core (`pades`, `stamp`, `verify`) needs no database; `testca` and `tsa` are for tests
and the demo only.
"""
