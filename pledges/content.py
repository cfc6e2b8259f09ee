"""The platform's default Pakta Integritas netralitas ASN (Bahasa Indonesia with an English
translation), written for Ikrar.

Placeholders are filled when the text is shown to the person about to sign it:
``{agency}`` the agency's name; ``{election}`` / ``{election_en}`` the election's full name, which
carries its year ("Pemilihan Umum Tahun 2029", "2029 General Election"); ``{year}`` the election's
year (kept for agency texts that use it; the default does not need it); ``{employee}`` /
``{employee_en}`` and ``{sanctions}`` / ``{sanctions_en}`` the signer's employment type and the
rules that bind that type, taken from the version's ``employment_wording``: a PNS is bound by the
civil-servant discipline regulation, a PPPK by the employment agreement and the rules on PPPK
management, a non-ASN staff member by the work contract and the agency's rules.

Changing anything here makes ``ensure_default_text`` store a new platform version; signatures
keep the text they signed."""

from __future__ import annotations

DEFAULT_KEY = "netralitas-asn"

# Values per employment type (``lms.models.EmploymentType``) for the placeholders that depend on the
# signer. Stored with the version (``PledgeText.employment_wording``), so they are versioned too.
EMPLOYMENT_WORDING = {
    "employee": {
        "pns": "Pegawai Negeri Sipil",
        "pppk": "Pegawai Pemerintah dengan Perjanjian Kerja (PPPK)",
        "non_asn": "pegawai non-ASN",
    },
    "employee_en": {
        "pns": "a civil servant (PNS)",
        "pppk": "a government employee with an employment agreement (PPPK)",
        "non_asn": "a non-ASN staff member",
    },
    "sanctions": {
        "pns": "sanksi moral atas pelanggaran kode etik serta hukuman disiplin menurut Peraturan Pemerintah "
        "Nomor 94 Tahun 2021 tentang Disiplin Pegawai Negeri Sipil",
        "pppk": "sanksi menurut perjanjian kerja saya dan ketentuan manajemen PPPK, yaitu Peraturan "
        "Pemerintah Nomor 49 Tahun 2018 tentang Manajemen Pegawai Pemerintah dengan Perjanjian Kerja",
        "non_asn": "sanksi menurut kontrak kerja saya dan ketentuan instansi bagi pegawai non-ASN, "
        "sampai dengan pemutusan hubungan kerja",
    },
    "sanctions_en": {
        "pns": "moral sanctions for breaches of the code of ethics and disciplinary penalties under "
        "Government Regulation (PP) Number 94 of 2021 on Civil Servant Discipline",
        "pppk": "sanctions under my employment agreement (perjanjian kerja) and the rules on PPPK "
        "management, Government Regulation (PP) Number 49 of 2018 on the Management of Government "
        "Employees with Employment Agreements",
        "non_asn": "sanctions under my work contract and my agency's rules for non-ASN staff, up to "
        "termination of my employment",
    },
}

DEFAULT_TEXT = {
    "key": DEFAULT_KEY,
    "title_id": "Pakta Integritas Netralitas Aparatur Sipil Negara",
    "title_en": "Integrity Pact on the Neutrality of State Civil Servants",
    "preamble_id": (
        "Saya yang bertanda tangan di bawah ini, {employee} pada {agency}, dengan sadar dan tanpa "
        "paksaan menyatakan komitmen saya untuk menjaga netralitas dalam penyelenggaraan {election}. "
        "Untuk itu saya berjanji:"
    ),
    "preamble_en": (
        "I, the undersigned, {employee_en} at {agency}, knowingly and without coercion declare my "
        "commitment to remain neutral during the {election_en}. To that end I promise:"
    ),
    "commitments": [
        {
            "id": "1",
            "text_id": "Bersikap netral dan menjalankan pelayanan publik secara adil sebelum, selama, "
            "dan sesudah setiap tahapan pemilihan.",
            "text_en": "To stay neutral and serve the public fairly before, during and after every "
            "stage of the election.",
        },
        {
            "id": "2",
            "text_id": "Tidak ikut berkampanye untuk bakal calon atau peserta pemilihan mana pun, baik "
            "secara langsung maupun melalui media sosial, termasuk mengunggah, menyukai, mengomentari, "
            "atau membagikan konten kampanye dan mengikuti akun tim pemenangannya.",
            "text_en": "Not to campaign for any prospective candidate or participant in the election, in "
            "person or on social media, including posting, liking, commenting on or sharing campaign content and "
            "following the accounts of their winning team.",
        },
        {
            "id": "3",
            "text_id": "Tidak menggunakan fasilitas, anggaran, atau wewenang jabatan untuk "
            "kepentingan bakal calon atau peserta pemilihan.",
            "text_en": "Not to use office facilities, budgets or the authority of my position for the "
            "benefit of any prospective candidate or participant in the election.",
        },
        {
            "id": "4",
            "text_id": "Tidak membuat keputusan atau melakukan tindakan yang menguntungkan atau merugikan "
            "bakal calon atau peserta pemilihan, menghindari konflik kepentingan, dan tidak "
            "mengintimidasi atau mengancam siapa pun.",
            "text_en": "Not to make decisions or take actions that benefit or harm any prospective "
            "candidate or participant, to avoid conflicts of interest, and never to intimidate or "
            "threaten anyone.",
        },
        {
            "id": "5",
            "text_id": "Menolak politik uang serta pemberian dalam bentuk apa pun yang berkaitan dengan pemilihan.",
            "text_en": "To refuse money politics and any gift, in whatever form, connected with the election.",
        },
        {
            "id": "6",
            "text_id": "Melaporkan kepada atasan atau pengawas yang berwenang setiap tekanan atau "
            "ajakan untuk berpihak yang saya alami atau saksikan.",
            "text_en": "To report to my superior or the competent supervisor any pressure or "
            "invitation to take sides that I experience or witness.",
        },
        {
            "id": "7",
            "text_id": "Bersedia menerima sanksi sesuai peraturan perundang-undangan apabila saya melanggar "
            "pakta ini, termasuk {sanctions}.",
            "text_en": "To accept sanctions under the law if I break this pact, including {sanctions_en}.",
        },
    ],
    "closing_id": (
        "Pakta ini saya tanda tangani dengan penuh kesadaran dan tanggung jawab, demi pemilihan "
        "yang jujur, adil, dan bermartabat."
    ),
    "closing_en": "I sign this pact fully aware of my responsibility, for an honest, fair and dignified election.",
    "employment_wording": EMPLOYMENT_WORDING,
}

# Preambles shipped before (version 1 of the platform default). An agency version that still uses
# one of them is offered the current preamble when its admin writes the next version.
PREVIOUS_PREAMBLES = {
    "preamble_id": (
        "Saya yang bertanda tangan di bawah ini, pegawai pada {agency}, dengan sadar dan tanpa "
        "paksaan menyatakan komitmen saya untuk menjaga netralitas sebagai Aparatur Sipil Negara "
        "dalam penyelenggaraan {election} tahun {year}. Untuk itu saya berjanji:",
    ),
    "preamble_en": (
        "I, the undersigned, an employee of {agency}, knowingly and without coercion declare my "
        "commitment to remain neutral as a State Civil Servant during the {election} of {year}. "
        "To that end I promise:",
    ),
}
