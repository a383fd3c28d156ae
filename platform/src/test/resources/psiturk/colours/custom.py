# psiTurk's custom routes (Flask): Cohort lists them and does not run them.
from flask import Blueprint, jsonify
custom_code = Blueprint('custom_code', __name__, template_folder='templates', static_folder='static')

@custom_code.route('/compute_bonus', methods=['GET'])
def compute_bonus():
    return jsonify({"bonusComputed": "success"})

@custom_code.route('/my_custom_view')
def list_my_data():
    return "hello"
